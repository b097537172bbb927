import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainLineEnd, readPlainRecords } from '../../src/adapters/csv/plain-csv.js';

const SEMICOLON = 0x3b;

/** What csv-parse gives, with the options the import uses: each record and the offset past it. */
function byCsvParse(bytes: Buffer): Array<[string[], number]> {
  const rows = parse(bytes, {
    delimiter: ';',
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
  }) as unknown as Array<{ record: string[]; info: { bytes: number } }>;
  return rows.map((r) => [r.record, r.info.bytes]);
}

function byPlainReader(bytes: Buffer, crlf: boolean, chunk = bytes.length + 1): Array<[string[], number]> {
  const seen: Array<[string[], number]> = [];
  for (let offset = 0; offset < bytes.length; ) offset = readPlainRecords(bytes, SEMICOLON, crlf, offset, offset + chunk, (cells, end) => seen.push([cells, end]));
  return seen;
}

describe('the plain CSV reader', () => {
  it.each([
    ['LF', 'nome;cognome\nMaria;Rossi\n\n;\n"D\'Angelo";"say ""hi""";""\nlast;row', { crlf: false }],
    ['CRLF', 'nome;cognome\r\nMaria;Rossi\r\n\r\n"Città";é\r\n', { crlf: true }],
    ['one line', 'a;b', { crlf: false }],
  ])('reads a plain file with %s line ends as csv-parse does', (_label, text, expected) => {
    const bytes = Buffer.from(text);
    expect(plainLineEnd(bytes, SEMICOLON)).toEqual(expected);
    expect(byPlainReader(bytes, expected.crlf)).toEqual(byCsvParse(bytes));
  });

  it.each([
    ['CR line ends', 'a;b\rc;d\r'],
    ['mixed line ends', 'a;b\r\nc;d\ne'],
    ['LF after CRLF', 'a\r\nb\nc\r\n'],
    ['a stray quote', 'a;Mario "il Rosso"\n'],
    ['text after a closing quote', '"x"y;1\n'],
    ['a quote never closed', 'a;b\n"open;3\n'],
    ['a value over two lines', 'a;b\n"x\ny";3\n'],
  ])('leaves a file with %s to csv-parse', (_label, text) => {
    expect(plainLineEnd(Buffer.from(text), SEMICOLON)).toBeUndefined();
  });

  it('gives what csv-parse gives for every plain file, read whole or in chunks', () => {
    const piece = fc.constantFrom('a', 'é', ' ', ';', ',', '"', '""', '\r', '\n', '\r\n', 'Città', '\uFEFF');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 1, max: 12 }), (pieces, chunk) => {
        const bytes = Buffer.from(pieces.join(''));
        const plain = plainLineEnd(bytes, SEMICOLON);
        if (plain === undefined) return;
        const expected = byCsvParse(bytes);
        expect(byPlainReader(bytes, plain.crlf)).toEqual(expected);
        expect(byPlainReader(bytes, plain.crlf, chunk)).toEqual(expected);
      }),
      { numRuns: 20_000 },
    );
  });
});
