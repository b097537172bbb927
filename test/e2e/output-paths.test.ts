import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, useTempHome } from '../support/cli.js';

/**
 * Paths people type (DESIGN §5, README "Files and safety"): a file named with --out, --errors or --html is never
 * written inside the home, and an id never leads outside it. Through the built binary, in a pipe.
 */
const t = useTempHome();
const FIXTURE = fileURLToPath(new URL('../../fixtures/messages/cantieri-via-nazionale.md', import.meta.url));
const ERRORS_FIXTURE = fileURLToPath(new URL('../../fixtures/iscritti-errori.csv', import.meta.url));

async function digestOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name)] = createHash('sha256').update(await readFile(join(e.parentPath, e.name))).digest('hex');
  }
  return out;
}

/** A completed send to one e-mail subscriber through the outbox, in `home`; returns the campaign id. */
async function sendOne(home: string): Promise<string> {
  const run = (...args: string[]) => runCli(['--home', home, ...args], { home, cwd: t.dir });
  expect((await run('subscribers', 'add', '--email', 'maria@example.it', '--name', 'Maria', '--topics', 'cantieri')).code).toBe(0);
  const sent = await run('send', '--topic', 'cantieri', '--text', 'Lavori', '--subject', 'Lavori', '--channel', 'email', '--via', 'outbox', '--yes', '--json');
  expect(sent.code, sent.stderr).toBe(0);
  return JSON.parse(sent.stdout.trim().split('\n').at(-1) as string).campaign as string;
}

describe('output files', () => {
  it("are refused inside the home — db.json, config.json, schedules.json, schedule.env, anything — naming the file and where to write instead", async () => {
    await sendOne(t.home);
    await writeFile(join(t.home, 'schedule.env'), 'CANALE_SMTP_URL=smtp://x\n', { mode: 0o600 });
    await symlink(t.home, join(t.dir, 'link'));
    const before = await digestOf(t.home);
    // run from inside the home, where a bare file name lands
    const inHome = (...args: string[]) => runCli(args, { home: t.home, cwd: t.home });
    const cases: Array<[string, Promise<Awaited<ReturnType<typeof inHome>>>, RegExp]> = [
      ['export --out db.json', inHome('subscribers', 'export', '--out', 'db.json', '--force'), /^error: --out db\.json: .*db\.json is canale's own db\.json, the subscriber store — .*write it outside the home, e\.g\. --out ~\/db\.json/m],
      ['import --errors config.json', inHome('subscribers', 'import', ERRORS_FIXTURE, '--skip-invalid', '--errors', 'config.json', '--yes'), /--errors config\.json: .* is canale's own config\.json, the settings and their secrets/],
      ['report --out schedules.json', inHome('report', '--last', '--format', 'csv', '--with-contacts', '--out', 'schedules.json'), /--out schedules\.json: .* is canale's own schedules\.json/],
      ['preview --html through a linked folder', runCli(['preview', FIXTURE, '--to', 'maria@example.it', '--html', 'link/schedule.env'], { home: t.home, cwd: t.dir }), /--html link\/schedule\.env: .* is canale's own schedule\.env/],
      ['export --out ../home/campaigns/x.csv', runCli(['subscribers', 'export', '--out', '../home/campaigns/x.csv'], { home: t.home, cwd: join(t.dir, 'link') }), /is inside the canale home .*write it outside the home, e\.g\. --out ~\/x\.csv/],
    ];
    for (const [name, running, message] of cases) {
      const result = await running;
      expect(result.code, `${name}: ${result.stderr}`).toBe(2);
      expect(result.stderr, name).toMatch(message);
    }
    expect(await digestOf(t.home)).toEqual(before);
    expect(existsSync(join(t.home, 'campaigns', 'x.csv'))).toBe(false);
  });

  it('an existing file elsewhere is replaced only with --force (or --yes); off a terminal, without them, exit 2 naming --force', async () => {
    await sendOne(t.home);
    const cli = t.cli;
    for (const name of ['iscritti.csv', 'esito.csv', 'scartati.csv', 'anteprima.html']) await writeFile(join(t.dir, name), 'mine\n', { mode: 0o644 });
    await writeFile(join(t.dir, 'lavori.md'), '---\ntopics: [cantieri]\nsubject: Lavori\nchannels: [email]\n---\nCiao {{nome}}, via Roma è chiusa.\n');
    const refused = [
      await cli('subscribers', 'export', '--out', 'iscritti.csv'),
      await cli('report', '--last', '--format', 'csv', '--out', 'esito.csv'),
      await cli('subscribers', 'import', ERRORS_FIXTURE, '--skip-invalid', '--errors', 'scartati.csv', '--dry-run'),
      await cli('preview', 'lavori.md', '--to', 'maria@example.it', '--html', 'anteprima.html'),
    ];
    for (const r of refused) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/exists — add --force to replace it, or name another file/);
    }
    for (const name of ['iscritti.csv', 'esito.csv', 'scartati.csv', 'anteprima.html']) expect(await readFile(join(t.dir, name), 'utf8')).toBe('mine\n');
    expect((await cli('subscribers', 'export', '--out', 'iscritti.csv', '--force')).code).toBe(0);
    expect((await cli('report', '--last', '--format', 'csv', '--out', 'esito.csv', '--force')).code).toBe(0);
    expect((await cli('subscribers', 'import', ERRORS_FIXTURE, '--skip-invalid', '--errors', 'scartati.csv', '--dry-run', '--force')).code).toBe(3);
    expect((await cli('--yes', 'preview', 'lavori.md', '--to', 'maria@example.it', '--html', 'anteprima.html')).code).toBe(0);
    for (const name of ['iscritti.csv', 'esito.csv', 'scartati.csv', 'anteprima.html']) {
      expect(await readFile(join(t.dir, name), 'utf8'), name).not.toBe('mine\n');
      expect((await stat(join(t.dir, name))).mode & 0o777, name).toBe(0o600);
    }
    // a new file needs nothing
    expect((await cli('subscribers', 'export', '--out', 'nuovo.csv')).code).toBe(0);
  });
});

describe('ids typed on the command line', () => {
  it('never lead outside the home: report, campaigns show|cancel, send --resume, schedule show|cancel exit 2, and a campaign outside is not touched', async () => {
    const outside = join(t.dir, 'other');
    const id = await sendOne(outside);
    // a campaign of another home that a cancel could really change
    const record = join(outside, 'campaigns', id, 'campaign.json');
    await writeFile(record, (await readFile(record, 'utf8')).replace('"status": "completed"', '"status": "interrupted"'));
    await t.cli('subscribers', 'add', '--email', 'luca@example.it', '--topics', 'cantieri');
    const before = await digestOf(outside);
    const path = `../../other/campaigns/${id}`;
    const cases: Array<[string[], RegExp]> = [
      [['report', path], /^error: report CAMPAIGN: ".*" is not a campaign id — expected cmp_ followed by letters and digits, like cmp_7k3m9q2xaa \(see them with: canale campaigns list\)$/m],
      [['report', '../../x', '--format', 'csv'], /report CAMPAIGN: "\.\.\/\.\.\/x" is not a campaign id/],
      [['campaigns', 'show', '../x'], /campaigns show ID: "\.\.\/x" is not a campaign id/],
      [['campaigns', 'show', path, '--json'], /campaigns show ID: /],
      [['campaigns', 'cancel', '../x', '--yes'], /campaigns cancel ID: "\.\.\/x" is not a campaign id/],
      [['campaigns', 'cancel', path, '--yes'], /campaigns cancel ID: /],
      [['send', '--resume', '../x'], /--resume: "\.\.\/x" is not a campaign id/],
      [['send', '--resume', path, '--yes'], /--resume: /],
      [['schedule', 'show', '../x'], /schedule show ID: "\.\.\/x" is not a schedule id — expected sch_/],
      [['schedule', 'cancel', 'sch_../x'], /schedule cancel ID: /],
      [['subscribers', 'show', 'sub_../x'], /REF: "sub_\.\.\/x" is not a subscriber id/],
    ];
    for (const [args, message] of cases) {
      const result = await t.cli(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stdout, args.join(' ')).toBe('');
    }
    expect(await digestOf(outside)).toEqual(before);
    expect(JSON.parse(await readFile(record, 'utf8')).status).toBe('interrupted');
    // the real ids still work, typed in any case
    expect((await runCli(['--home', outside, 'report', id.toUpperCase(), '--json'], { home: outside, cwd: t.dir })).code).toBe(0);
  });
});
