import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cronCommand } from '../../src/commands/schedule/install.js';
import { main } from '../../src/main.js';
import type { CliResult } from '../support/cli.js';
import { fakeDeps, ShiftedClock } from '../support/fake-deps.js';
import { deliveredTo, lastJson, prepareRaccolta, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';

/**
 * The transports a schedule or campaign was planned with, when `schedule run` (or `send --resume`) goes on with it
 * where their credentials are missing; `schedule add --dry-run`; `schedule run --verbose` on what waits; and what
 * `doctor` says about the credentials cron will see. In-process against a real sandbox, with a moved clock.
 */

let dir = '';
let home = '';
let box: Sandbox;
let clock: ShiftedClock;
let ids = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-schedule-transports-'));
  home = join(dir, 'home');
  box = await startSandbox(dir);
  clock = new ShiftedClock(new Date('2026-12-01T09:00:00Z')); // Tuesday, 10:00 in Rome
});

afterEach(async () => {
  await box.graph.close();
  await box.sink.close();
  await rm(dir, { recursive: true, force: true });
});

/** canale with the sandbox's credentials in the environment (a person's shell). */
const canale = (...args: string[]): Promise<CliResult> => canaleIn(box.env, ...args);

/** canale in another environment: `{}` is what cron gives a job. */
async function canaleIn(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  const fake = fakeDeps({ home, env, clock });
  const code = await main(args, { ...fake.deps, cwd: dir, ids: { next: (prefix) => `${prefix}${String(++ids).padStart(6, '0')}` } });
  return { code, signal: null, stdout: fake.stdout.text, stderr: fake.stderr.text };
}

const at = (iso: string) => clock.set(new Date(iso));
const outboxFiles = async (): Promise<number> => (existsSync(join(home, 'outbox')) ? (await readdir(join(home, 'outbox'), { recursive: true })).filter((f) => f.includes('.')).length : 0);

interface RunJson {
  entries: Array<{ action: string; schedule?: string; campaign?: string; status?: string; reason?: string; counts?: Report['counts'] }>;
}

const MISSING = /CANALE_WHATSAPP_TOKEN \(whatsapp\.token\), CANALE_WHATSAPP_PHONE_NUMBER_ID \(whatsapp\.phoneNumberId\), CANALE_SMTP_URL \(email\.smtpUrl\) and CANALE_EMAIL_FROM \(email\.from\) are not set here/;

describe('the transports a schedule was planned with', () => {
  it('are the ones it fires with: missing credentials fail the run, nothing goes to the outbox, and the slot waits for them', async () => {
    await prepareRaccolta(canale, dir, 6);
    const added = await canale('schedule', 'add', 'carta.md', '--at', '2026-12-01 11:00', '--via', 'cloud-api', '--yes', '--json');
    expect(added.code, added.stderr).toBe(0);
    const schedule = JSON.parse(added.stdout) as { id: string; transports: unknown };
    expect(schedule.transports).toEqual({ whatsapp: 'cloud-api', email: 'smtp' });
    expect((await canale('schedule', 'show', schedule.id)).stdout).toContain('send: WhatsApp via cloud-api, e-mail via smtp');

    at('2026-12-01T10:00:30Z');
    const cron = await canaleIn({}, 'schedule', 'run', '--json');
    expect(cron.code).toBe(1);
    const entries = (JSON.parse(cron.stdout) as RunJson).entries;
    expect(entries).toEqual([expect.objectContaining({ action: 'failed', schedule: schedule.id, reason: expect.stringMatching(MISSING) })]);
    expect(entries[0]?.reason).toContain(`schedule ${schedule.id} sends WhatsApp through cloud-api and e-mail through smtp`);
    expect(entries[0]?.reason).toContain(`put them in ${join(home, 'schedule.env')} as NAME=value lines`);
    expect(entries[0]?.reason).toContain('canale config set whatsapp.token');
    const plain = await canaleIn({}, 'schedule', 'run');
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(MISSING);
    expect(await outboxFiles()).toBe(0);
    expect(deliveredTo(box).size).toBe(0);
    expect(JSON.parse((await canale('schedule', 'list', '--json')).stdout)).toEqual([expect.objectContaining({ id: schedule.id, status: 'active', next: '2026-12-01T10:00:00.000Z', runs: [] })]);

    // once the credentials are where the run looks, the next run sends it
    const fired = await canale('schedule', 'run', '--json');
    expect(fired.code, fired.stderr).toBe(0);
    expect((JSON.parse(fired.stdout) as RunJson).entries).toEqual([expect.objectContaining({ action: 'fired', status: 'completed', counts: expect.objectContaining({ sent: 6 }) })]);
    expect(deliveredTo(box).size).toBe(6);
  });

  it('planned for the outbox, it goes there even where credentials are set, and the run says so as a send does', async () => {
    await prepareRaccolta(canale, dir, 4);
    const added = await canaleIn({}, 'schedule', 'add', 'carta.md', '--at', '2026-12-01 11:00', '--yes', '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('whatsapp: no CANALE_WHATSAPP_TOKEN, CANALE_WHATSAPP_PHONE_NUMBER_ID set — messages go to the outbox');
    expect(JSON.parse(added.stdout)).toMatchObject({ transports: { whatsapp: 'outbox', email: 'outbox' } });

    at('2026-12-01T10:00:30Z');
    const run = await canale('schedule', 'run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/schedule sch_\w+: whatsapp: planned for the outbox — messages go to the outbox \(files in the home\), nothing is sent/);
    expect(run.stderr).toMatch(/schedule sch_\w+: email: planned for the outbox/);
    expect(await outboxFiles()).toBe(4);
    expect(deliveredTo(box).size).toBe(0);
  });

  it('a waiting campaign goes on only through its own transports: schedule run and send --resume fail naming them, and it waits on', async () => {
    await prepareRaccolta(canale, dir, 12);
    expect((await canale('config', 'set', 'whatsapp.dailyLimit', '5')).code).toBe(0);
    const sent = await canale('send', '--message', 'carta.md', '--channel', 'whatsapp', '--split', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    const campaign = lastJson<Report>(sent.stdout).campaign;

    // --verbose names what waits, why and until when, in local time
    at('2026-12-01T15:00:00Z');
    const verbose = await canale('schedule', 'run', '--verbose');
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(new RegExp(`waiting: campaign ${campaign} for the WhatsApp daily tier to free up, until 2026-12-02 10:0\\d \\(Europe/Rome\\)`));

    at('2026-12-02T09:10:00Z');
    const cron = await canaleIn({}, 'schedule', 'run', '--json');
    expect(cron.code).toBe(1);
    expect((JSON.parse(cron.stdout) as RunJson).entries).toEqual([
      expect.objectContaining({ action: 'failed', campaign, reason: expect.stringMatching(/sends WhatsApp through cloud-api, but CANALE_WHATSAPP_TOKEN \(whatsapp\.token\) and CANALE_WHATSAPP_PHONE_NUMBER_ID \(whatsapp\.phoneNumberId\) are not set here/) }),
    ]);
    const resume = await canaleIn({}, 'send', '--resume', campaign, '--yes');
    expect(resume.code).toBe(1);
    expect(resume.stderr).toContain(`campaign ${campaign} sends WhatsApp through cloud-api, but CANALE_WHATSAPP_TOKEN (whatsapp.token)`);
    expect(await outboxFiles()).toBe(0);
    expect(deliveredTo(box).size).toBe(5);
    expect(JSON.parse((await canale('campaigns', 'list', '--json')).stdout)).toEqual([expect.objectContaining({ id: campaign, status: 'scheduled' })]);

    const goesOn = await canale('schedule', 'run', '--json');
    expect(goesOn.code, goesOn.stderr).toBe(0);
    expect((JSON.parse(goesOn.stdout) as RunJson).entries).toEqual([expect.objectContaining({ action: 'resumed', campaign, counts: expect.objectContaining({ sent: 10 }) })]);
  });
});

describe('canale schedule run --verbose', () => {
  it('lists a campaign that waits for quiet hours to end, with its schedule and when, in local time', async () => {
    await prepareRaccolta(canale, dir, 20);
    await canale('schedule', 'add', 'carta.md', '--channel', 'whatsapp', '--rate', '4', '--at', '2026-12-01 20:59', '--yes');
    at('2026-12-01T19:59:57.500Z'); // quiet hours begin in 2.5 s, the send needs 5 s
    const evening = await canale('schedule', 'run');
    expect(evening.code, evening.stderr).toBe(0);
    at('2026-12-01T23:00:00Z');
    const night = await canale('schedule', 'run', '--verbose');
    expect(night.code).toBe(0);
    expect(night.stdout).toBe('');
    expect(night.stderr).toMatch(/nothing due\nwaiting: campaign cmp_\w+ \(schedule sch_\w+\) for quiet hours to end, until 2026-12-02 08:00 \(Europe\/Rome\)\nnext: 2026-12-02 08:00 \(Europe\/Rome\)/);
  }, 30_000);
});

describe('canale schedule add --dry-run', () => {
  it('exits as the real command would, and stores nothing', async () => {
    await prepareRaccolta(canale, dir, 4);
    expect((await canale('subscribers', 'add', '--email', 'senza.municipio@example.it', '--name', 'Anna', '--topics', 'raccolta-differenziata', '--channel', 'email')).code).toBe(0);
    await writeFile(join(dir, 'municipio.md'), '---\ntopics: [raccolta-differenziata]\nchannels: [email]\nsubject: Avviso\n---\nMunicipio {{municipio}}: cambia il calendario.\n');
    await writeFile(join(dir, 'ignoto.md'), '---\ntopics: [raccolta-differenziata]\nsubject: Avviso\nwhatsapp:\n  template: nessun_modello\n  language: it\n---\nCiao.\n');
    const cases: Array<[string[], number, RegExp]> = [
      [['carta.md', '--every', '0 9 * * 1'], 0, /dry run: would schedule carta\.md for raccolta-differenziata every "0 9 \* \* 1" \(Europe\/Rome\), first 2026-12-07 09:00 \(Europe\/Rome\) \(WhatsApp via cloud-api, e-mail via smtp\) — nothing was stored/],
      [['municipio.md', '--at', '2026-12-02 10:00'], 1, /1 recipient\(s\) cannot get this message/],
      [['ignoto.md', '--at', '2026-12-02 10:00'], 1, /nessun_modello/],
      [['carta.md', '--at', '2026-11-30 10:00'], 2, /in the past/],
      [['carta.md'], 2, /say when/],
    ];
    for (const [args, code, message] of cases) {
      const dry = await canale('schedule', 'add', ...args, '--dry-run');
      expect(dry.code, `${args.join(' ')}: ${dry.stderr}`).toBe(code);
      expect(dry.stderr).toMatch(message);
      if (code !== 0) expect((await canale('schedule', 'add', ...args, '--yes')).code, args.join(' ')).toBe(code);
    }
    const json = await canale('schedule', 'add', 'carta.md', '--at', '2026-12-02 10:00', '--dry-run', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ dryRun: true, id: null, next: '2026-12-02T09:00:00.000Z', transports: { whatsapp: 'cloud-api', email: 'smtp' } });
    expect(JSON.parse((await canale('schedule', 'list', '--all', '--json')).stdout)).toEqual([]);
  });
});

describe('canale doctor on the credentials of schedule run', () => {
  type Checks = { checks: Array<{ name: string; ok: boolean | string; detail: string }> };
  const check = async () => (JSON.parse((await canale('doctor', '--json')).stdout) as Checks).checks.find((c) => c.name === 'schedule credentials');

  it('looks where cron and the systemd timer look — schedule.env and config.json — and says when only this shell has them', async () => {
    await prepareRaccolta(canale, dir, 2);
    expect(await check()).toBeUndefined();
    await canale('schedule', 'add', 'carta.md', '--at', '2026-12-01 11:00', '--yes');
    const shellOnly = await check();
    expect(shellOnly).toMatchObject({ ok: false });
    expect(shellOnly?.detail).toMatch(/schedule sch_\w+ sends WhatsApp through cloud-api, but schedule run will not find CANALE_WHATSAPP_TOKEN \(whatsapp\.token\) and CANALE_WHATSAPP_PHONE_NUMBER_ID \(whatsapp\.phoneNumberId\) — this shell has CANALE_WHATSAPP_TOKEN and CANALE_WHATSAPP_PHONE_NUMBER_ID, but cron and the systemd timer do not see this shell's exports/);
    expect(shellOnly?.detail).toContain(`put NAME=value lines in ${join(home, 'schedule.env')}`);

    const file = join(home, 'schedule.env');
    await writeFile(file, `export CANALE_WHATSAPP_TOKEN=${box.env.CANALE_WHATSAPP_TOKEN}\nCANALE_EMAIL_FROM=${box.env.CANALE_EMAIL_FROM}\n`);
    const misspelt = await check();
    expect(misspelt?.ok).toBe(false);
    expect(misspelt?.detail).toContain(`${file} line 1: systemd does not read "export"`);
    expect(misspelt?.detail).toContain(`${file} line 2: the value of CANALE_EMAIL_FROM has characters sh and systemd read differently`);

    const lines = ['CANALE_WHATSAPP_TOKEN', 'CANALE_WHATSAPP_PHONE_NUMBER_ID'].map((k) => `${k}='${box.env[k] ?? ''}'`);
    await writeFile(file, `# for canale schedule run\n${lines.join('\n')}\n`);
    await chmod(file, 0o600);
    expect((await canale('config', 'set', 'email.smtpUrl', box.env.CANALE_SMTP_URL ?? '')).code).toBe(0);
    expect((await canale('config', 'set', 'email.from', box.env.CANALE_EMAIL_FROM ?? '')).code).toBe(0);
    expect(await check()).toEqual({
      name: 'schedule credentials',
      ok: true,
      detail: 'schedule run will find CANALE_WHATSAPP_TOKEN from schedule.env, CANALE_WHATSAPP_PHONE_NUMBER_ID from schedule.env, CANALE_SMTP_URL from config.json, CANALE_EMAIL_FROM from config.json',
    });
  });
});

describe('the crontab line', () => {
  it('quotes what sh would split or expand, and escapes the % cron turns into a newline', () => {
    expect(cronCommand("/srv/l'home 100%", ['/usr/bin/node', '/opt/canale/bin/canale.js', 'schedule', 'run'])).toBe(
      "set -a; [ -f '/srv/l'\\''home 100\\%/schedule.env' ] && . '/srv/l'\\''home 100\\%/schedule.env'; CANALE_HOME='/srv/l'\\''home 100\\%'; set +a; exec /usr/bin/node /opt/canale/bin/canale.js schedule run",
    );
  });
});
