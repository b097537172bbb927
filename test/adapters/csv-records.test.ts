import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../src/adapters/csv/csv-records.js';

async function recordsOf(text: string, delimiter = ',', sliceRecords?: number) {
  const seen: Array<[number, string[]] | [number, 'broken', string]> = [];
  await readCsvRecords(
    Buffer.from(text, 'utf8'),
    delimiter,
    'test.csv',
    { record: (cells, line) => seen.push([line, cells]), broken: (line, reason) => seen.push([line, 'broken', reason]) },
    sliceRecords,
  );
  return seen;
}

describe('records and their physical lines', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('%s line ends, blank lines and a quoted value over two lines', async (_name, eol) => {
    const text = ['a,b', '1,2', '', '"x', 'y",3', '', '', '4,5'].join(eol) + eol;
    expect(await recordsOf(text)).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
      [4, [`x${eol}y`, '3']],
      [8, ['4', '5']],
    ]);
  });

  it('counts a CRLF inside quotes as one line', async () => {
    expect(await recordsOf('a,b\r\n"x\r\ny\r\nz",1\r\n2,3\r\n')).toEqual([
      [1, ['a', 'b']],
      [2, ['x\r\ny\r\nz', '1']],
      [5, ['2', '3']],
    ]);
  });

  it('gives the same lines however often it stops to let the event loop run', async () => {
    const text = 'a;b\n"1\n2";3\n\n"quoted ""x""";"y\n\nz"\nlast;row';
    const whole = await recordsOf(text, ';');
    expect(whole.map(([line]) => line)).toEqual([1, 2, 5, 8]);
    for (const size of [1, 2, 3, 7]) expect(await recordsOf(text, ';', size)).toEqual(whole);
  });

  it('keeps RFC 4180 quoting: delimiters, doubled quotes and a stray quote in an unquoted value', async () => {
    expect(await recordsOf('a,b,c\n"Rossi, Maria","say ""hi""",Mario "il Rosso"\n,,\n')).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['Rossi, Maria', 'say "hi"', 'Mario "il Rosso"']],
      [3, ['', '', '']],
    ]);
  });

  it('reports a quote never closed at the line it opens, and every record after it as swallowed', async () => {
    expect(await recordsOf('a,b\n1,2\n\n"open,3\n4,5\n')).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
      [4, 'broken', expect.stringMatching(/^a quoted value starts on this line and is never closed/)],
      [5, 'broken', expect.stringMatching(/^read after the quote left open on line 4: not imported/)],
    ]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('keeps the cells of each line of a broken record, and of the records a quote never closed swallowed (%s)', async (_name, eol) => {
    // line 3's quote is closed by the first quote of line 4: lines 3 and 4 are one broken record, line 6 reads
    // again; line 8's quote is never closed: it and line 9 are told one by one, each with its cells
    const seen: Array<[number, string[]]> = [];
    const text = ['a;b;c', '1;2;3', '"open;x;y', '4;"quoted; value";5', '', '"two', 'lines";6;7', '"again;8;9', '10;11;12'].join(eol) + eol;
    await readCsvRecords(Buffer.from(text), ';', 't.csv', { record: (cells, line) => seen.push([line, cells]), broken: (line, _reason, cells) => seen.push([-line, cells]) });
    expect(seen).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['1', '2', '3']],
      [-3, ['"open', 'x', 'y']],
      [-4, ['4', 'quoted; value', '5']],
      [6, ['two\nlines'.replace('\n', eol), '6', '7']],
      [-8, ['"again', '8', '9']],
      [-9, ['10', '11', '12']],
    ]);
  });

  it('passes on an error the visitor throws, even from the last record', async () => {
    const failing = readCsvRecords(Buffer.from('a,b\n1,2'), ',', 't.csv', {
      record: (cells) => {
        if (cells[0] === '1') throw new Error('stop here');
      },
      broken: () => undefined,
    });
    await expect(failing).rejects.toThrow('stop here');
  });
});
