import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/cli.js';

const t = useTempHome();
const cli = t.cli;
const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

interface Listed {
  name: string | null;
  phone: string | null;
  email: string | null;
  topics: string[];
  consent: { source: string; at: string };
}
const listed = async (): Promise<Listed[]> => JSON.parse((await cli('subscribers', 'list', '--json')).stdout) as Listed[];
const consentOf = async (): Promise<Record<string, string>> => Object.fromEntries((await listed()).map((s) => [s.name ?? '', s.consent.at]));

describe('Google Forms and Sheets exports, end to end', () => {
  it('reads the English Forms download: "Timestamp" with AM/PM and GMT offsets is the consent date', async () => {
    const result = await cli('import', fixture('google-forms-en.csv'), '--yes', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ read: 4, inserted: 4, rejected: 0, warnings: [], columnProblems: [] });
    expect(await consentOf()).toEqual({
      'Emma Russo': '2026-11-20T08:14:03.000Z',
      'Tom Baker': '2026-11-20T13:05:47.000Z',
      'Ines Costa': '2026-07-01T16:30:00.000Z',
      'Ada Ferri': '2026-11-20T23:00:00.000Z',
    });
  });

  it('reads the Italian Forms download (CET, CEST, dashes) and merges a citizen written surname first', async () => {
    const result = await cli('import', fixture('google-forms-it.csv'), '--yes', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ read: 4, inserted: 3, duplicates: 1, conflicts: 0, rejected: 0 });
    expect(await consentOf()).toEqual({
      'Bruno Galli': '2026-11-20T08:14:03.000Z',
      'Carla Riva': '2026-07-01T16:30:00.000Z',
      'Dario Sala': '2026-11-22T07:00:00.000Z',
    });
    expect((await listed()).find((s) => s.name === 'Bruno Galli')?.topics).toEqual(['cantieri', 'mobilita', 'scuola']);
  });

  it('reads the Italian Sheets download (20/11/2026 9.14.03, the city\'s zone) and warns about a landline for WhatsApp', async () => {
    const dry = await cli('import', fixture('google-sheets-it.csv'), '--dry-run');
    expect(dry.stdout).toContain('Informazioni cronologiche\tconsent_at\n');
    expect(dry.stdout).toContain('warnings\t1\n');
    expect(dry.stderr).toContain('line 3 (Numero di cellulare (WhatsApp)): "06 1234 5678" a landline (fixed-line) number: WhatsApp cannot reach it');
    const result = await cli('import', fixture('google-sheets-it.csv'), '--yes', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { inserted: number; warnings: unknown[] };
    expect(report.inserted).toBe(3);
    expect(report.warnings).toEqual([
      { line: 3, column: 'Numero di cellulare (WhatsApp)', value: '06 1234 5678', reason: expect.stringMatching(/^a landline \(fixed-line\) number: WhatsApp cannot reach it/) },
    ]);
    expect(await consentOf()).toEqual({
      'Elena Greco': '2026-11-20T08:14:03.000Z',
      'Fabio Neri': '2026-07-01T16:30:00.000Z',
      'Gaia Villa': '2026-02-02T23:05:00.000Z',
    });
  });

  it('reads a Sheets download in the US locale (month first), putting right the rows read before the column showed it', async () => {
    const file = join(t.dir, 'responses.csv');
    await writeFile(file, 'Timestamp,Full name,Phone number,Topics\n3/2/2026 9:14:03,Primo Uno,333 510 0001,Cantieri\n11/20/2026 14:14:03,Seconda Due,333 510 0002,Cantieri\n4/2/2026 18:00:00,Terzo Tre,333 510 0003,Cantieri\n');
    const result = await cli('import', file, '--yes');
    expect(result.code).toBe(0);
    expect(await consentOf()).toEqual({
      'Primo Uno': '2026-03-02T08:14:03.000Z',
      'Seconda Due': '2026-11-20T13:14:03.000Z',
      'Terzo Tre': '2026-04-02T16:00:00.000Z',
    });
  });

  it('a form timestamp it cannot read: told once for the column, the rows imported with the import time', async () => {
    const file = join(t.dir, 'modulo.csv');
    const rows = ['ven 20 nov 2026, 09:14', 'sab 21 nov 2026, 10:00', 'dom 22 nov 2026, 11:30'].map((when, i) => `"${when}",Persona ${i},33331000${i}${i},Cantieri,sì`);
    await writeFile(file, ['Informazioni cronologiche,Nome,Cellulare,Argomenti,Consenso', ...rows].join('\n') + '\n');
    const before = Date.now();
    const result = await cli('import', file, '--yes');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('new\t3\n');
    expect(result.stdout).toContain('invalid (conflicts included)\t0\n');
    const warnings = result.stderr.split('\n').filter((l) => l.includes('cannot read'));
    expect(warnings).toEqual([
      expect.stringContaining('column "Informazioni cronologiche": "ven 20 nov 2026, 09:14" — 3 row(s), from line 2, have a form timestamp canale cannot read, so they were given the time of the import as their consent date'),
    ]);
    for (const at of Object.values(await consentOf())) expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('a consent date column it cannot read: one column problem, not a table of every row; nothing imported', async () => {
    const file = join(t.dir, 'iscritti.csv');
    const rows = Array.from({ length: 30 }, (_, i) => `Persona ${i},3333100${String(i).padStart(3, '0')},Cantieri,${i + 1} novembre 2026`);
    await writeFile(file, ['Nome,Cellulare,Argomenti,Data consenso', ...rows].join('\n') + '\n');
    const result = await cli('import', file, '--yes');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('COLUMN\tFOR EXAMPLE\tPROBLEM\nData consenso\t1 novembre 2026\t30 rows, from line 2, have a date canale cannot read');
    expect(result.stdout).toContain('--map "Data consenso=ignore"');
    expect(result.stdout).not.toContain('LINE\tCOLUMN\tVALUE\tREASON');
    expect(await listed()).toEqual([]);
  });
});

describe('two people with one contact, end to end', () => {
  it('rejects both rows, names both lines and the phone, counts a conflict; --skip-invalid --errors keeps them', async () => {
    const file = join(t.dir, 'famiglia.csv');
    await writeFile(file, 'Nome,Cellulare,Argomenti,Note\nMaria Rossi,333 123 4567,Cantieri,vuole i cantieri\nAnna Verdi,347 765 4321,Scuola,\nLuigi Bianchi,+39 333 1234567,Eventi,solo eventi\n');
    const failed = await cli('import', file, '--yes', '--json');
    expect(failed.code).toBe(1);
    const report = JSON.parse(failed.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ read: 3, inserted: 1, duplicates: 0, conflicts: 2, rejected: 2 });
    expect(report.errors).toEqual([2, 4].map((line) => ({ line, column: null, value: '+393331234567', reason: expect.stringMatching(/^lines 2, 4 have the same phone \+393331234567 but name different people \("Maria Rossi", "Luigi Bianchi"\)/) })));
    expect(failed.stderr).toContain('2 of 3 rows are invalid (2 of them conflicts: two people with one phone or e-mail), so nothing was imported');
    expect(await listed()).toEqual([]);

    const table = await cli('import', file, '--dry-run');
    expect(table.stdout).toContain('duplicates merged\t0\nconflicts (two people, one contact)\t2\n');

    const partial = await cli('import', file, '--yes', '--skip-invalid', '--errors', 'conflitti.csv');
    expect(partial.code).toBe(3);
    expect((await listed()).map((s) => s.name)).toEqual(['Anna Verdi']);
    const errors = (await readFile(join(t.dir, 'conflitti.csv'), 'utf8')).split('\r\n');
    expect(errors[1]).toMatch(/^Maria Rossi,333 123 4567,Cantieri,vuole i cantieri,"""\+393331234567"": lines 2, 4 have the same phone/);
    // the phone as '+39… so a spreadsheet keeps it as text (the import reads it back as +39…)
    expect(errors[2]).toMatch(/^Luigi Bianchi,'\+39 333 1234567,Eventi,solo eventi,/);

    // a row for the stored Anna Verdi's phone with another name is a conflict with her, not an update
    await writeFile(file, 'Nome,Cellulare,Argomenti\nGiorgio Neri,347 765 4321,Eventi\n');
    const stored = await cli('import', file, '--yes', '--json');
    expect(stored.code).toBe(1);
    expect(JSON.parse(stored.stdout)).toMatchObject({ updated: 0, conflicts: 1, errors: [{ line: 2, reason: expect.stringMatching(/is subscriber sub_\w+'s, "Anna Verdi", but this row names "Giorgio Neri"/) }] });
    expect((await listed())[0]?.topics).toEqual(['scuola']);
  });
});
