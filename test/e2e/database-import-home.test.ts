import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/postgres/database.js';
import { runCli, startCli, useTempHome, type CliResult } from '../support/cli.js';
import { usePostgres } from '../support/postgres.js';
// @ts-expect-error: a plain ES module of the benchmarks, without types
import { generateStore } from '../../bench/generate-store.mjs';

const pg = usePostgres();
const t = useTempHome();

/** canale in a home, on the JSON files (no url) or on the database `url`. */
const canaleIn = (home: string, url?: string) => async (...args: string[]): Promise<CliResult> => {
  const run = await runCli(args, { home, cwd: t.dir, ...(url === undefined ? {} : { env: { CANALE_DATABASE_URL: url } }) });
  return run;
};

const ok = (run: CliResult): string => {
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
};

/** A spreadsheet with a citizen known by WhatsApp user id alone, and others with a number and a user id, or an e-mail. */
const CSV = [
  'nome;telefono;whatsapp_user_id;email;argomenti;municipio',
  'Maria Username;;US.13491208655302741918;;raccolta-differenziata;3',
  'Luca Rossi;+39 333 100 0001;US.77700011122233344455;luca@example.it;cantieri|eventi;5',
  'Anna Bianchi;;;anna@example.it;scuola|eventi;1',
  '',
].join('\n');

describe('moving a home into PostgreSQL and back out, through the built binary', () => {
  it('db import-home copies the subscribers as they are: the exports from the database are the home\'s; subscribers import takes them back into a new home', async () => {
    const url = await pg.database();
    const home = canaleIn(t.home);
    const db = canaleIn(t.home, url);
    await writeFile(join(t.dir, 'iscritti.csv'), CSV);
    ok(await home('subscribers', 'import', 'iscritti.csv', '--yes'));
    ok(await home('subscribers', 'add', '--phone', '+39 333 100 0002', '--name', 'Gino', '--topics', 'cantieri', '--attr', 'municipio=2', '--attr', 'scala=B'));
    ok(await home('subscribers', 'unsubscribe', 'anna@example.it', '--yes'));
    ok(await home('subscribers', 'unsubscribe', '+39 333 100 0001', '--topic', 'eventi', '--yes'));
    const json = ok(await home('subscribers', 'export', '--format', 'json'));
    const csv = ok(await home('subscribers', 'export', '--format', 'csv'));
    const listed = JSON.parse(json) as Array<{ name: string; whatsappUserId: string | null; status: string; history: unknown[]; attributes: Record<string, string> }>;
    expect(listed.map((s) => [s.name, s.whatsappUserId, s.status, s.history.length])).toEqual([
      ['Maria Username', 'US.13491208655302741918', 'active', 0],
      ['Luca Rossi', 'US.77700011122233344455', 'active', 1],
      ['Anna Bianchi', null, 'unsubscribed', 1],
      ['Gino', null, 'active', 0],
    ]);
    expect(listed[3]?.attributes).toEqual({ municipio: '2', scala: 'B' });

    const imported = await db('db', 'import-home', '--yes', '--json');
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ home: t.home, subscribers: 4, topics: 7, campaigns: { copied: 0 }, optOuts: 2, damaged: [] });
    expect(ok(await db('subscribers', 'export', '--format', 'json'))).toBe(json);
    expect(ok(await db('subscribers', 'export', '--format', 'csv'))).toBe(csv);

    // and out again: the database's export, imported into a new home on its files
    const fromDb = ok(await db('subscribers', 'export', '--format', 'csv'));
    await writeFile(join(t.dir, 'dal-database.csv'), fromDb);
    const next = canaleIn(join(t.dir, 'next-home'));
    ok(await next('subscribers', 'import', 'dal-database.csv', '--yes'));
    expect(ok(await next('subscribers', 'export', '--format', 'csv'))).toBe(fromDb);
    const again = JSON.parse(ok(await next('subscribers', 'export', '--format', 'json'))) as Array<Record<string, unknown>>;
    // the CSV holds no consent history: everything else is the same
    expect(again.map(({ history: _, ...s }) => s)).toEqual(listed.map(({ history: _, ...s }) => s));
  });

  it('a kill -9 mid-import leaves the database refused by every command; run again, it starts over and gives the same subscribers', async () => {
    await mkdir(t.home, { recursive: true });
    await generateStore(join(t.home, 'db.json'), 50_000);
    const url = await pg.database();
    const killed = startCli(['db', 'import-home', '--yes'], { home: t.home, cwd: t.dir, env: { CANALE_DATABASE_URL: url } });
    await new Promise<void>((resolve) => {
      killed.child.stderr?.on('data', () => {
        if (killed.stderr().includes('copying: until it ends')) resolve();
      });
    });
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');

    const sql = openDatabase(url, { max: 1 });
    try {
      expect(await sql`select home from canale_import_in_progress`).toEqual([{ home: t.home }]);
      // the killed process's sessions end as the server reads their closed sockets: its lock with them
      for (let waited = 0; (await sql`select canale_lock_held('import-home') as held`)[0]?.held === true; waited += 10) {
        expect(waited, 'the killed import still holds its lock').toBeLessThan(10_000);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await sql.end();
    }
    const db = canaleIn(t.home, url);
    const refused = await db('subscribers', 'count');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`a db import-home from ${t.home} started at `);
    expect(refused.stderr).toContain(`did not finish — run it again: it starts over (canale db import-home ${t.home} --yes)`);
    const status = await db('db', 'status');
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`import: a db import-home from ${t.home} started at `);

    const again = await db('db', 'import-home', '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`removed what the unfinished db import-home from ${t.home}`);
    expect(again.stderr).toContain('subscribers: 50000');
    const home = canaleIn(t.home);
    expect(ok(await db('subscribers', 'export', '--format', 'csv'))).toBe(ok(await home('subscribers', 'export', '--format', 'csv')));
    expect(ok(await db('subscribers', 'count')).trim()).toBe('50000');
  });
});
