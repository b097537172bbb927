import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDelimiter, detectDelimiter } from '../../src/adapters/csv/csv-delimiter.js';
import { checkEncoding, detectEncoding, toUtf8 } from '../../src/adapters/csv/csv-encoding.js';
import { openCsvFile } from '../../src/adapters/csv/csv-file.js';

const TEXT = 'Nome;Città\r\nNiccolò;Forlì – Cesena €\r\n';

describe('encoding detection', () => {
  it.each([
    ['UTF-8', Buffer.from(TEXT, 'utf8'), 'utf-8', 0],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]), 'utf-8', 3],
    ['UTF-16 LE with BOM', iconv.encode(TEXT, 'utf-16le', { addBOM: true }), 'utf-16le', 2],
    ['UTF-16 BE with BOM', iconv.encode(TEXT, 'utf-16be', { addBOM: true }), 'utf-16be', 2],
    ['UTF-16 LE without BOM', iconv.encode(TEXT, 'utf-16le'), 'utf-16le', 0],
    ['Windows-1252 (Italian Excel)', iconv.encode(TEXT, 'windows-1252'), 'windows-1252', 0],
  ])('%s', (_name, bytes, encoding, bomLength) => {
    const detected = detectEncoding(bytes);
    expect(detected).toEqual({ encoding, bomLength });
    expect(toUtf8(bytes, detected).toString('utf8')).toBe(TEXT);
  });

  it('takes plain ASCII for UTF-8', () => {
    expect(detectEncoding(Buffer.from('a,b\n1,2\n'))).toEqual({ encoding: 'utf-8', bomLength: 0 });
  });

  it.each([
    ['utf8', 'utf-8'],
    ['UTF-8', 'utf-8'],
    ['utf-16le', 'utf-16le'],
    ['UTF16BE', 'utf-16be'],
    ['Windows-1252', 'windows-1252'],
    ['cp1252', 'windows-1252'],
    ['latin1', 'windows-1252'],
    ['ISO-8859-1', 'windows-1252'],
    ['ANSI', 'windows-1252'],
    ['macintosh', 'macintosh'],
  ])('--encoding %s → %s', (flag, name) => {
    expect(checkEncoding(flag)).toBe(name);
  });

  it.each(['klingon', '', 'utf-9'])('--encoding %j is a usage error naming the flag', (flag) => {
    expect(() => checkEncoding(flag)).toThrow(expect.objectContaining({ exit: 'usage', message: expect.stringMatching(/^--encoding ".*" is not an encoding canale knows/) }));
  });
});

describe('delimiter detection', () => {
  it.each([
    ['nome,telefono,email\nMaria,333,m@x.it\n', ','],
    ['nome;telefono;email\r\nMaria;333;m@x.it\r\n', ';'],
    ['nome\ttelefono\temail\nMaria\t333\tm@x.it\n', '\t'],
    ['nome|telefono\nMaria|333\n', '|'],
    // a comma inside the values does not fool it: the header and the rows agree on ;
    ['Nome;Indirizzo;Note\nMaria;Via Roma, 3;a, b, c\nLuca;Via Po, 1;d\n', ';'],
    // delimiters inside quotes do not count, even across a line break
    ['"a;b;c";d\n"x\ny;z;w";v\n', ';'],
    ['"nome, cognome",telefono\n"Rossi, Maria",333\n', ','],
    ['email\nm@x.it\n', ','],
    ['', ','],
  ])('%j → %j', (sample, delimiter) => {
    expect(detectDelimiter(sample)).toBe(delimiter);
  });

  it.each([
    [';', ';'],
    ['tab', '\t'],
    ['\\t', '\t'],
    ['TAB', '\t'],
    ['semicolon', ';'],
    ['|', '|'],
  ])('--delimiter %j → %j', (flag, delimiter) => {
    expect(checkDelimiter(flag)).toBe(delimiter);
  });

  it.each([';;', '"', 'a', '1', '\n', ''])('--delimiter %j is a usage error', (flag) => {
    expect(() => checkDelimiter(flag)).toThrow(expect.objectContaining({ exit: 'usage', message: expect.stringMatching(/^--delimiter/) }));
  });
});

describe('opening a file', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'canale-csv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const fileWith = async (name: string, bytes: Buffer | string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };

  it('hashes the bytes on disk and reports encoding and delimiter', async () => {
    const bytes = iconv.encode(TEXT, 'windows-1252');
    const path = await fileWith('excel.csv', bytes);
    const file = await openCsvFile(path, {});
    expect(file).toMatchObject({ name: 'excel.csv', size: bytes.length, encoding: 'Windows-1252', delimiter: ';' });
    expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(file.bytes.toString('utf8')).toBe(TEXT);
  });

  it('obeys a forced encoding and delimiter, still dropping a byte-order mark', async () => {
    const path = await fileWith('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a|b\n', 'utf8')]));
    const file = await openCsvFile(path, { encoding: 'utf-8', delimiter: ',' });
    expect(file).toMatchObject({ encoding: 'UTF-8 with BOM', delimiter: ',' });
    expect(file.bytes.toString('utf8')).toBe('a|b\n');
  });

  it.each([
    ['book.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), /book\.xlsx is a ZIP archive — an Excel \.xlsx or LibreOffice \.ods workbook\?, not a CSV file — save it as CSV first/],
    ['old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1]), /old\.xls is an old Excel \.xls workbook, not a CSV file/],
    ['doc.pdf', Buffer.from('%PDF-1.7\n'), /doc\.pdf is a PDF document/],
    ['blob.bin', Buffer.from([1, 2, 0, 4, 5, 0, 0, 0, 9, 10, 11, 12]), /blob\.bin is a binary file \(it holds NUL bytes\), not a CSV file/],
    ['empty.csv', Buffer.alloc(0), /empty\.csv is empty — there is nothing to import/],
    ['blank.csv', '\n\r\n   \n', /blank\.csv is empty/],
    ['export.json', '[\n{"id":"sub_1"}\n]\n', /export\.json is JSON, not a CSV file — subscribers import reads CSV: export with --format csv/],
  ])('refuses %s with one sentence naming it', async (name, bytes, message) => {
    const path = await fileWith(name, bytes);
    await expect(openCsvFile(path, {})).rejects.toThrow(expect.objectContaining({ name: 'CanaleError', message: expect.stringMatching(message) }));
  });
});
