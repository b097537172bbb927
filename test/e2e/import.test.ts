import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, useTempHome } from '../support/cli.js';

const t = useTempHome();
const cli = t.cli;
const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;
const db = () => readFile(join(t.home, 'db.json'));

interface Listed {
  name: string | null;
  phone: string | null;
  email: string | null;
  topics: string[];
  channel: string;
  status: string;
  attributes: Record<string, string>;
  consent: { source: string; at: string };
}
const listed = async (): Promise<Listed[]> => JSON.parse((await cli('subscribers', 'list', '--json')).stdout) as Listed[];

describe('canale import, end to end', () => {
  it('imports the Italian Excel export (";", Windows-1252, accents) under both names of the command', async () => {
    const dry = await cli('import', fixture('iscritti-excel.csv'), '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Cognome\tname (surname, joined after the name)\n');
    expect(dry.stderr).toContain('reading iscritti-excel.csv (0.0 MB, Windows-1252, delimiter ";")…');
    expect(dry.stderr).toContain('dry run: nothing was changed');
    expect(await listed()).toEqual([]);

    const real = await cli('subscribers', 'import', fixture('iscritti-excel.csv'), '--yes', '--json');
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout)).toEqual({ read: 10, inserted: 10, updated: 0, unchanged: 0, duplicates: 0, conflicts: 0, blocked: 0, rejected: 0, errors: [], warnings: [], columnProblems: [] });
    const all = await listed();
    expect(all.map((s) => s.name)).toEqual([
      'Maria Rossi', 'Niccolò Bianchi', "Lucìa D'Angelo", 'Francesca Esposito', 'Giuseppe Romano',
      'Zoë Müller', 'Andrea Colombo', 'Chiara Ricci', 'Pietro Marino', 'Élodie Greco',
    ]);
    expect(all[1]).toMatchObject({ phone: '+393471234567', topics: ['scuola', 'mobilita'], attributes: { municipio: 'Municipio II', quartiere: 'Parioli', cap: '00197' } });
    expect(all[3]).toMatchObject({ phone: '+393387654321', email: 'f.esposito@example.it', topics: ['eventi', 'cantieri'] });
    expect(all[4]).toMatchObject({ phone: null, channel: 'email' });
    expect(all[0]?.consent).toEqual({ source: expect.stringMatching(/^import:iscritti-excel\.csv#[0-9a-f]{12}$/), at: '2026-02-02T23:00:00.000Z' });

    // the same file again: nothing to change, nothing written
    const before = await db();
    const again = await cli('import', fixture('iscritti-excel.csv'), '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('unchanged\t10\n');
    expect(again.stderr).toContain('nothing to change');
    expect(await db()).toEqual(before);
  });

  it('imports a Google Forms export (",", UTF-8, timestamps, consent), merging a repeated submission', async () => {
    const result = await cli('import', fixture('modulo-google.csv'), '--yes');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('new\t7\n');
    expect(result.stdout).toContain('duplicates merged\t1\n');
    const sara = (await listed()).find((s) => s.name === 'Sara Conti');
    // the first submission's time is the consent date (Rome, UTC+1 in November); the second adds a topic
    expect(sara).toMatchObject({ channel: 'email', topics: ['eventi', 'scuola'], consent: { at: '2026-11-28T09:44:12.000Z' }, attributes: { quartiere: 'Testaccio' } });
  });

  it('the messy file: all or nothing by default; --skip-invalid imports the rest and exits 3; --errors writes them', async () => {
    await cli('init');
    const before = await db();
    const failed = await cli('import', fixture('iscritti-errori.csv'), '--yes', '--json');
    expect(failed.code).toBe(1);
    const report = JSON.parse(failed.stdout) as { errors: Array<{ line: number; column: string | null; value: string; reason: string }> };
    expect(report).toMatchObject({ read: 17, inserted: 3, rejected: 13 });
    expect(report.errors.map((e) => [e.line, e.column, e.value])).toEqual([
      [3, 'Telefono', '12345'],
      [4, 'Email', 'non-una-email@'],
      [5, 'Telefono', ''],
      [6, 'Argomenti', 'Giardinaggio'],
      [7, 'Canale', 'whatsapp'],
      [8, 'Canale', 'piccione'],
      [9, 'Consenso', 'no'],
      [10, 'Consenso', ''],
      [11, 'Data consenso', '31/02/2026'],
      [12, null, 'in più'],
      [17, null, '+393331002999, valeria.neri@example.it'],
      [20, null, ''],
      [21, null, ''],
    ]);
    expect(failed.stderr).toContain('13 of 17 rows are invalid, so nothing was imported');
    expect(failed.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(await db()).toEqual(before);

    const partial = await cli('import', fixture('iscritti-errori.csv'), '--yes', '--skip-invalid', '--errors', 'scartati.csv');
    expect(partial.code).toBe(3);
    expect(partial.stderr).toContain('13 invalid row(s) were skipped (exit 3)');
    expect((await listed()).map((s) => s.name)).toEqual(['Valeria Neri', 'Indirizzo, su due righe', 'Mario "il Rosso" Verdi']);
    const errors = await readFile(join(t.dir, 'scartati.csv'), 'utf8');
    const lines = errors.split('\r\n');
    expect(lines[0]).toBe('\uFEFFNome,Telefono,Email,Argomenti,Canale,Consenso,Data consenso,Municipio,,import_error');
    expect(lines[1]).toBe('Numero Sbagliato,12345,,cantieri,,sì,,II,,"Telefono ""12345"": not a valid phone number (default country IT)"');
    expect(lines).toHaveLength(15);
    // the row with the quote left open, and the row it swallowed, keep their own cells, ready to fix
    expect(lines[12]).toMatch(/^"""Virgolette aperte",333 100 2009,,cantieri,,sì,,XIV,,"a quoted value starts on this line and is never closed/);
    expect(lines[13]).toMatch(/^Riga Inghiottita,333 100 2010,,cantieri,,sì,,XV,,"read after the quote left open on line 20: not imported/);
  });

  it('does not re-subscribe someone who opted out, unless --allow-resubscribe', async () => {
    expect((await cli('import', fixture('iscritti-excel.csv'), '--yes')).code).toBe(0);
    expect((await cli('subscribers', 'unsubscribe', 'm.rossi@example.it')).code).toBe(0);
    expect((await cli('subscribers', 'unsubscribe', '349 111 2233', '--topic', 'eventi')).code).toBe(0);

    const blocked = await cli('import', fixture('iscritti-excel.csv'), '--yes', '--json');
    expect(blocked.code).toBe(0);
    expect(JSON.parse(blocked.stdout)).toMatchObject({ read: 10, unchanged: 8, blocked: 2, updated: 0 });
    const table = await cli('import', fixture('iscritti-excel.csv'), '--dry-run');
    expect(table.stdout).toMatch(/\n2\tsub_\w+\tsub_\w+ unsubscribed from everything on \d{4}-\d{2}-\d{2} — not re-subscribed/);
    expect(table.stdout).toMatch(/\n8\tsub_\w+\tsub_\w+ left topic eventi on purpose/);
    expect((await listed()).find((s) => s.email === 'm.rossi@example.it')?.status).toBe('unsubscribed');

    const allowed = await cli('import', fixture('iscritti-excel.csv'), '--yes', '--allow-resubscribe', '--json');
    expect(JSON.parse(allowed.stdout)).toMatchObject({ updated: 2, blocked: 0 });
    expect((await listed()).find((s) => s.email === 'm.rossi@example.it')?.status).toBe('active');
  });

  it.each([
    [['--encoding', 'klingon'], /--encoding "klingon"/],
    [['--map', 'Cellulare'], /--map "Cellulare" is not COLUMN=FIELD/],
    [['--map', 'Cellulare=fax'], /"fax" is not a field/],
    [['--map', 'Fax=phone', '--yes'], /--map "Fax=phone": the file has no column "Fax"/],
    [['--mode', 'merge'], /--mode "merge" is not upsert or insert/],
    [[], /not a terminal, so re-run with --yes/],
  ])('%j exits 2 naming the problem', async (flags, message) => {
    const result = await cli('import', fixture('iscritti-excel.csv'), ...flags);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('a file that is not CSV gets one clear error naming it (exit 1)', async () => {
    const path = join(t.dir, 'iscritti.xlsx');
    await writeFile(path, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0]));
    await cli('init');
    const result = await cli('import', path, '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: ${path} is a ZIP archive — an Excel .xlsx or LibreOffice .ods workbook?, not a CSV file — save it as CSV first (Excel: File › Save As › "CSV UTF-8"; LibreOffice: File › Save As › "Text CSV")\n`);
  });

  it.each([
    ['SIGKILL', null],
    ['SIGINT', 130],
    ['SIGTERM', 130],
  ] as const)('killed (%s) in the middle of a big file, it leaves db.json exactly as it was', async (signal, exit) => {
    expect((await cli('import', fixture('iscritti-excel.csv'), '--yes')).code).toBe(0);
    const before = await db();
    const logBefore = await readFile(join(t.home, 'db.changes.jsonl'));
    const big = join(t.dir, 'grande.csv');
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(big).on('error', reject).on('finish', resolve);
      out.write('nome,telefono,email,argomenti,municipio\n');
      let chunk = '';
      for (let i = 0; i < 250_000; i++) {
        chunk += `Cittadino ${i},+39 347 ${String(1_000_000 + i)},cittadino${i}@example.it,cantieri|scuola,Municipio ${i % 15}\n`;
        if (chunk.length > 1 << 20) {
          out.write(chunk);
          chunk = '';
        }
      }
      out.end(chunk);
    });
    const child = spawn(process.execPath, [BIN, 'import', big, '--yes'], {
      cwd: t.dir,
      env: { PATH: process.env.PATH ?? '', HOME: t.home, CANALE_HOME: t.home, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end();
    let stderr = '';
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    // readiness: the line canale prints once the file is open, right before it parses the rows
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('reading grande.csv')) resolve();
      });
    });
    child.kill(signal);
    // Ctrl-C and SIGTERM stop it cleanly (exit 130, saying nothing was imported); SIGKILL cannot be answered
    expect(await ended).toEqual(exit === null ? { code: null, signal } : { code: exit, signal: null });
    if (exit !== null) expect(stderr).toContain('interrupted — nothing was imported');
    expect(await db()).toEqual(before);
    // the first import's ten went to the change log beside db.json's index; no temporary file, no lock left
    expect((await readdir(t.home)).sort()).toEqual(['config.json', 'db.changes.jsonl', 'db.json', 'db.json.index']);
    expect(await readFile(join(t.home, 'db.changes.jsonl'))).toEqual(logBefore);
    // and the next command finds no lock in the way
    expect((await cli('subscribers', 'count')).stdout).toBe('10\n');
    expect((await cli('import', fixture('modulo-google.csv'), '--yes')).code).toBe(0);
  });
});
