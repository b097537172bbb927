import { watch, type FSWatcher } from 'node:fs';
import { access, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, useTempHome } from '../support/cli.js';

/**
 * A damaged or half-made campaign folder never takes the home down (issue 14, item 1): every reader names it as one
 * damaged campaign and goes on, `campaigns cancel` clears it, and a freeze killed at any instant leaves no such folder.
 */

const t = useTempHome();
const cli = (...args: string[]) => runCli(args, { home: t.home, cwd: t.dir });
const exists = (path: string) => access(path).then(() => true, () => false);
const occurrences = (text: string, part: string) => text.split(part).length - 1;

let server: ReturnType<typeof startCli> | undefined;
let watcher: { close(): void } | undefined;

/**
 * Calls `onChange` at every change in `folder` and in the folders that appear in it. Node 20's own recursive
 * `fs.watch` lists a new folder with readdirSync and throws an uncaught ENOENT when the folder is gone by then (as a
 * freeze's .tmp- folder is, renamed a moment later); this one watches each folder by itself and lets a vanished one go.
 */
function watchTree(folder: string, onChange: () => void): { close(): void } {
  const watchers: FSWatcher[] = [];
  const followed = new Set<string>();
  const follow = (path: string) => {
    if (followed.has(path)) return;
    followed.add(path);
    try {
      const w = watch(path, (_event, name) => {
        onChange();
        if (name !== null && path === folder) follow(join(folder, String(name)));
      });
      w.on('error', () => undefined);
      watchers.push(w);
    } catch {
      // gone already, or a file rather than a folder: nothing to follow
    }
  };
  follow(folder);
  return { close: () => watchers.forEach((w) => w.close()) };
}
afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  server?.child.kill('SIGKILL');
  await server?.done;
  server = undefined;
});

interface Row {
  id: string;
  status: string;
  problem?: string;
}

/** A home with one real campaign sent to the outbox, beside a folder without campaign.json and one whose campaign.json is broken. */
async function homeWithDamage(): Promise<{ real: string }> {
  expect((await cli('subscribers', 'add', '--email', 'maria.rossi@example.it', '--name', 'Maria Rossi', '--topics', 'cantieri')).code).toBe(0);
  const sent = await cli('send', '--topic', 'cantieri', '--subject', 'Via Roma', '--text', 'Via Roma chiusa', '--via', 'outbox', '--yes', '--json');
  expect(sent.code, sent.stderr).toBe(0);
  const real = (JSON.parse(sent.stdout.trim().split('\n').at(-1) ?? '') as { campaign: string }).campaign;
  await mkdir(join(t.home, 'campaigns', 'cmp_x'));
  // a copy of the real campaign whose record was broken: its list and journal still name the citizen
  await cp(join(t.home, 'campaigns', real), join(t.home, 'campaigns', 'cmp_y'), { recursive: true });
  await writeFile(join(t.home, 'campaigns', 'cmp_y', 'campaign.json'), '{"version": 1, "id": "cmp_y", "stat');
  return { real };
}

describe('a damaged campaign folder', () => {
  it('is listed as damaged, skipped by report --last and schedule run, named by doctor, and never stops webhook serve', async () => {
    const { real } = await homeWithDamage();

    const listed = await cli('campaigns', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as Row[];
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [real, 'completed'],
      ['cmp_x', 'damaged'],
      ['cmp_y', 'damaged'],
    ]);
    expect(rows[1]?.problem).toMatch(/no campaign\.json/);
    expect(rows[2]?.problem).toMatch(/campaign\.json is not valid JSON/);
    const table = await cli('campaigns', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/cmp_x\tdamaged/);
    expect(table.stderr).toContain('canale campaigns cancel cmp_x');

    const report = await cli('report', '--last', '--json');
    expect(report.code, report.stderr).toBe(0);
    expect((JSON.parse(report.stdout) as { campaign: string }).campaign).toBe(real);

    const shown = await cli('campaigns', 'show', 'cmp_y');
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(/campaign cmp_y is damaged: campaign\.json is not valid JSON.*canale campaigns cancel cmp_y/);
    expect(shown.stderr).not.toMatch(/internal error/);

    const doctor = await cli('doctor');
    expect(doctor.code).toBe(1);
    const line = doctor.stdout.split('\n').find((l) => l.startsWith('✗ campaigns:')) ?? '';
    expect(line).toMatch(/2 damaged campaign folder\(s\).*cmp_x: .*no campaign\.json.*cmp_y: .*not valid JSON.*canale campaigns cancel ID --yes/);
    expect(doctor.stdout).not.toMatch(/✗ schedules/);

    const run = await cli('schedule', 'run');
    expect(run.code, run.stderr).toBe(0);
    expect(occurrences(run.stderr, 'damaged campaign folder')).toBe(1);
    expect(run.stderr).toMatch(/cmp_x.*cmp_y/);
    const runJson = await cli('schedule', 'run', '--json');
    expect(runJson.code).toBe(0);
    expect((JSON.parse(runJson.stdout) as { damaged: Row[] }).damaged.map((d) => d.id)).toEqual(['cmp_x', 'cmp_y']);

    server = startCli(['webhook', 'serve', '--port', '0'], { home: t.home, cwd: t.dir });
    const first = await new Promise<string>((resolve, reject) => {
      let out = '';
      server?.child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      void server?.done.then((r) => reject(new Error(`webhook serve exited: ${r.stderr}`)));
    });
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${first}/healthz`);
    expect(health.status).toBe(200);
    expect(occurrences(server.stderr(), 'damaged campaign folder')).toBe(1);
  }, 60_000);

  it('is cleared by campaigns cancel (asked first), and erased by forget like any other', async () => {
    await homeWithDamage();
    await mkdir(join(t.home, 'campaigns', '.tmp-cmp_z-0a0b'));
    await writeFile(join(t.home, 'campaigns', '.tmp-cmp_z-0a0b', 'recipients.jsonl'), '["sub_left","email"]\n');

    const unconfirmed = await cli('campaigns', 'cancel', 'cmp_x');
    expect(unconfirmed.code).toBe(2);
    expect(await exists(join(t.home, 'campaigns', 'cmp_x'))).toBe(true);
    const cancelled = await cli('campaigns', 'cancel', 'cmp_x', '--yes');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stderr).toContain('removed the damaged campaign cmp_x');
    expect(await exists(join(t.home, 'campaigns', 'cmp_x'))).toBe(false);

    // the damaged copy holds the citizen's id: forget reaches it, and removes the unfinished freeze
    const id = (JSON.parse((await cli('subscribers', 'show', 'maria.rossi@example.it', '--json')).stdout) as { id: string }).id;
    expect(await readFile(join(t.home, 'campaigns', 'cmp_y', 'recipients.jsonl'), 'utf8')).toContain(id);
    const forgot = await cli('subscribers', 'forget', 'maria.rossi@example.it', '--yes');
    expect(forgot.code, forgot.stderr).toBe(0);
    expect(await readFile(join(t.home, 'campaigns', 'cmp_y', 'recipients.jsonl'), 'utf8')).not.toContain(id);
    expect(await exists(join(t.home, 'campaigns', '.tmp-cmp_z-0a0b'))).toBe(false);

    expect((await cli('campaigns', 'cancel', 'cmp_y', '--yes')).code).toBe(0);
    const rows = JSON.parse((await cli('campaigns', 'list', '--json')).stdout) as Row[];
    expect(rows.map((r) => r.status)).toEqual(['completed']);
    const doctor = await cli('doctor');
    expect(doctor.stdout).not.toMatch(/campaigns:/);
  }, 60_000);
});

describe('kill -9 while a campaign is frozen', () => {
  it('never leaves a folder without campaign.json visible as a campaign; list and schedule run keep working', async () => {
    const rows = ['nome;email;canale;argomenti'];
    for (let i = 0; i < 3000; i++) rows.push(`Cittadino ${i};cittadino${i}@example.it;email;cantieri`);
    await writeFile(join(t.dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
    expect((await cli('subscribers', 'import', 'iscritti.csv', '--yes')).code).toBe(0);
    const send = ['send', '--topic', 'cantieri', '--subject', 'Via Roma', '--text', 'Via Roma chiusa', '--via', 'outbox', '--rate', '3000', '--yes'];

    // killed at the first change under campaigns/ (the folder appearing, within the first milliseconds of the
    // freeze), then at later ones: each step of the freeze is an instant a power cut or a kill can hit
    await mkdir(join(t.home, 'campaigns'), { recursive: true });
    for (const nth of [1, 2, 3, 5]) {
      const child = startCli(send, { home: t.home, cwd: t.dir });
      let seen = 0;
      watcher = watchTree(join(t.home, 'campaigns'), () => {
        if (++seen === nth) child.child.kill('SIGKILL');
      });
      const ended = await child.done;
      watcher.close();
      watcher = undefined;
      if (ended.signal !== 'SIGKILL') expect(ended.code, ended.stderr).toBe(0);

      const listed = await cli('campaigns', 'list', '--json');
      expect(listed.code, listed.stderr).toBe(0);
      expect((JSON.parse(listed.stdout) as Row[]).filter((r) => r.status === 'damaged')).toEqual([]);
      for (const name of await readdir(join(t.home, 'campaigns'))) {
        if (!name.startsWith('.')) expect(await exists(join(t.home, 'campaigns', name, 'campaign.json')), name).toBe(true);
      }
      const run = await cli('schedule', 'run');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/damaged/);
    }

    // the next send removes what killed freezes left, under the send lock
    const last = await cli(...send);
    expect(last.code, last.stderr).toBe(0);
    expect((await readdir(join(t.home, 'campaigns'))).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  }, 180_000);
});
