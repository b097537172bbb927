import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTemporaryFile } from '../../src/adapters/fs/atomic-file.js';
import type * as IndexTable from '../../src/adapters/store/index-table.js';
import { AppendFile } from '../../src/adapters/webhook/append-file.js';
import { addressTag } from '../../src/adapters/transports/outbox/outbox-files.js';
import { runCli, type CliResult } from '../support/cli.js';

/**
 * A full disk through the built binary (DESIGN §5, §7.2): the home is a small tmpfs, filled with a file the test
 * writes first, so the disk fills in the middle of a send or an import. Mounting needs root (CI runs as root).
 */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'canale-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const MOUNTABLE = canMountTmpfs();

let dir = '';
let home = '';
beforeEach(async () => {
  if (!MOUNTABLE) return;
  dir = mkdtempSync(join(tmpdir(), 'canale-full-disk-'));
  home = join(dir, 'home');
  mkdirSync(home);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', home]);
});
afterEach(async () => {
  if (!MOUNTABLE) return;
  execFileSync('umount', ['-l', home]);
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir });

/** A file that takes all the home's free space but `leave` bytes; deleting it is "freeing space". */
async function fillHome(leave: number): Promise<string> {
  const stats = await statfs(home);
  const path = join(home, 'filler');
  await writeFile(path, Buffer.alloc(Math.max(0, stats.bavail * stats.bsize - leave)));
  return path;
}

async function importCitizens(from: number, count: number): Promise<CliResult> {
  const rows = Array.from({ length: count }, (_, k) => `cittadino${from + k}@example.it,Cittadino ${from + k},cantieri`);
  const file = join(dir, `iscritti-${from}.csv`);
  await writeFile(file, `email,name,topics\n${rows.join('\n')}\n`);
  return cli('subscribers', 'import', file, '--yes');
}

describe.skipIf(!MOUNTABLE)('a home on a tmpfs that fills up (needs root and mount; skipped otherwise)', () => {
  it('a send to the outbox that fills the disk stops interrupted with the plain message; after freeing space the resume reaches everyone exactly once', async () => {
    expect((await cli('init', '--yes')).code).toBe(0);
    expect((await importCitizens(0, 60)).code).toBe(0);
    // each e-mail about 60 KB (text and HTML): 60 of them need about 3.6 MB
    const words = Array.from({ length: 2500 }, (_, k) => `parola${k}`).join(' ');
    await writeFile(join(dir, 'lavori.md'), `---\ntopics: [cantieri]\nchannels: [email]\nsubject: Lavori\n---\nCiao {{nome}}, ${words}\n`);
    // room for the journal's reserve (1 MB) and a few e-mails, not for all of them
    const filler = await fillHome(1_500_000);

    const full = await cli('send', '--message', 'lavori.md', '--via', 'outbox', '--yes');
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).not.toContain('internal error');
    const id = /canale send --resume (cmp_\w+)/.exec(full.stderr)?.[1] ?? '';
    expect(full.stderr).toContain(`error: the disk holding ${join(home, 'outbox', 'email')} is full: free space, then resume the send: canale send --resume ${id}`);
    const campaign = JSON.parse(await readFile(join(home, 'campaigns', id, 'campaign.json'), 'utf8')) as { status: string; stopCode: string };
    expect(campaign).toMatchObject({ status: 'interrupted', stopCode: 'DISK_FULL' });
    const before = await readdir(join(home, 'outbox', 'email'));
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(60);
    // no part-written message is left to look like one that was sent
    for (const name of before) expect(await readFile(join(home, 'outbox', 'email', name), 'utf8')).toContain('parola2499');
    const report = await cli('report', id, '--json');
    expect(JSON.parse(report.stdout)).toMatchObject({ status: 'interrupted', counts: { sent: before.length, unknown: 0 } });

    await rm(filler);
    const resumed = await cli('send', '--resume', id, '--yes');
    expect(resumed.code, resumed.stderr).toBe(0);
    const files = await readdir(join(home, 'outbox', 'email'));
    const perTag = new Map<string, number>();
    for (const name of files) {
      const tag = /-([0-9a-f]{16})(?:-\d+)?\.eml$/.exec(name)?.[1] ?? name;
      perTag.set(tag, (perTag.get(tag) ?? 0) + 1);
    }
    const expected = Array.from({ length: 60 }, (_, k) => addressTag(`cittadino${k}@example.it`)).sort();
    expect([...perTag.keys()].sort()).toEqual(expected);
    expect([...perTag.values()].every((n) => n === 1)).toBe(true);
  });

  it('an import into a full home says so plainly and changes nothing: the old db.json intact, no temporary file left', async () => {
    expect((await cli('init', '--yes')).code).toBe(0);
    expect((await importCitizens(0, 10)).code).toBe(0);
    const db = await readFile(join(home, 'db.json'));
    await fillHome(64 << 10);

    const full = await importCitizens(100, 3000);
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).toContain(`error: the disk holding ${join(home, 'db.json')} is full: free space and run the same command again`);
    expect(full.stderr).not.toContain('internal error');
    expect(await readFile(join(home, 'db.json'))).toEqual(db);
    expect((await readdir(home)).filter(isTemporaryFile)).toEqual([]);
    const list = await cli('subscribers', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toContain('cittadino100@');
  });

  it('an export to a full disk says so plainly and leaves no part of the file', async () => {
    expect((await cli('init', '--yes')).code).toBe(0);
    expect((await importCitizens(0, 2000)).code).toBe(0);
    const out = join(dir, 'out');
    mkdirSync(out);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', out]);
    try {
      const full = await cli('subscribers', 'export', '--out', join(out, 'iscritti.csv'));
      expect(full.code, full.stderr).toBe(1);
      expect(full.stderr).toContain(`error: the disk holding ${join(out, 'iscritti.csv')} is full: free space and run the same command again`);
      expect(full.stderr).not.toContain('internal error');
      expect(await readdir(out)).toEqual([]);
    } finally {
      execFileSync('umount', ['-l', out]);
    }
  });

  it('a send into a home already full stops before anyone is reached, with the plain message', async () => {
    expect((await cli('init', '--yes')).code).toBe(0);
    expect((await importCitizens(0, 3)).code).toBe(0);
    await fillHome(0);
    const full = await cli('send', '--topic', 'cantieri', '--subject', 'Lavori', '--text', 'Via Roma chiusa', '--channel', 'email', '--via', 'outbox', '--yes');
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).toMatch(new RegExp(`error: the disk holding ${home.replace(/[/.]/g, '\\$&')}\\S* is full: free space`));
    expect(full.stderr).not.toContain('internal error');
    expect(await readdir(join(home, 'outbox', 'email')).catch(() => [])).toEqual([]);
  });
});

describe.skipIf(!MOUNTABLE)('a campaign frozen on a nearly full home (needs root and mount; skipped otherwise)', () => {
  it('with no room for its journal stops interrupted before anyone is sent, and the resume after freeing space sends everyone once', async () => {
    expect((await cli('init', '--yes')).code).toBe(0);
    expect((await importCitizens(0, 5)).code).toBe(0);
    // these tests run at whatever time the suite does: outside any quiet hours
    expect((await cli('config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
    // room for the campaign's record and list, not for the journal's 1 MB reserve
    const filler = await fillHome(300_000);
    const full = await cli('send', '--topic', 'cantieri', '--subject', 'Lavori', '--text', 'Via Roma chiusa', '--channel', 'email', '--via', 'outbox', '--yes');
    expect(full.code, full.stderr).toBe(1);
    const id = /canale send --resume (cmp_\w+)/.exec(full.stderr)?.[1] ?? '';
    expect(full.stderr).toContain(`error: the disk holding ${join(home, 'campaigns', id, 'journal.jsonl')} is full: free space, then resume the send: canale send --resume ${id}`);
    expect(JSON.parse(await readFile(join(home, 'campaigns', id, 'campaign.json'), 'utf8'))).toMatchObject({ status: 'interrupted', stopCode: 'DISK_FULL' });
    expect(await readdir(join(home, 'outbox', 'email')).catch(() => [])).toEqual([]);

    await rm(filler);
    const resumed = await cli('send', '--resume', id, '--yes');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await readdir(join(home, 'outbox', 'email'))).toHaveLength(5);
    expect(await readdir(join(home, 'campaigns', id))).not.toContain('.journal.jsonl.reserve');
  });
});

describe.skipIf(!MOUNTABLE)('the index of db.json on a full disk (needs root and mount; skipped otherwise)', () => {
  it('made in a worker thread, it fails as DISK_FULL, as when this thread writes it, and leaves no temporary file', async () => {
    const { startIndexTable } = (await import(new URL('../../dist/adapters/store/index-table.js', import.meta.url).href)) as typeof IndexTable;
    const count = 30_000;
    const keys = { count, hashes: Uint32Array.from({ length: count }, (_, k) => k * 2654435761 || 1), owners: Uint32Array.from({ length: count }, (_, k) => k) };
    const filler = await fillHome(64 * 1024);
    const path = join(home, 'db.json.index');
    const write = startIndexTable(keys, { workerFrom: 1 }).write(path, `${''.padEnd(255)}\n`, Array.from({ length: count }, (_, k) => k * 100));
    await expect(write).rejects.toMatchObject({ name: 'CanaleError', code: 'DISK_FULL', message: expect.stringContaining(path) as string });
    await rm(filler);
    expect((await readdir(home)).filter(isTemporaryFile)).toEqual([]);
  });
});

describe.skipIf(!MOUNTABLE)('the webhook event log on a full disk (needs root and mount; skipped otherwise)', () => {
  it('refuses an append the disk cut short (never answered as written), and the next one starts a line of its own', async () => {
    const path = join(home, 'events.jsonl');
    const log = new AppendFile(path);
    await log.append('{"n":1}\n');
    const filler = await fillHome(0);
    // more than the rest of the file's last page: the write is cut short, then refused
    const big = `{"n":2,"pad":"${'x'.repeat(20_000)}"}\n`;
    await expect(log.append(big)).rejects.toMatchObject({ code: 'DISK_FULL', message: `the disk holding ${path} is full: free space and run the same command again` });
    await rm(filler);
    await log.append('{"n":3}\n');
    await log.close();
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
    expect(lines[0]).toBe('{"n":1}');
    expect(lines.at(-1)).toBe('{"n":3}');
    // whatever the cut left is a line of its own, never glued to the next record
    expect(lines.slice(1, -1).every((l) => l.startsWith('{"n":2,'))).toBe(true);
  });
});
