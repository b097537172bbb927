import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { BIN, runCli, startCli, type CliResult } from '../support/cli.js';
import { fakeDeps, ShiftedClock } from '../support/fake-deps.js';
import { deliveredTo, prepareRaccolta, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';

/**
 * `canale schedule run` as cron runs it: the built binary, several at once over one home, killed mid-send; and a
 * send refused in quiet hours and accepted with --urgent. Schedules are added in-process with the clock set an hour
 * back, so they are due now for the binaries, which read the real clock.
 */

let dir = '';
let home = '';
let box: Sandbox;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-schedule-e2e-'));
  home = join(dir, 'home');
  box = await startSandbox(dir);
});

afterEach(async () => {
  await box.graph.close();
  await box.sink.close();
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env: box.env });

/** Adds a schedule that fires `minutesAgo` minutes before now, as if added an hour ago. */
async function addDue(minutesAgo: number, ...flags: string[]): Promise<string> {
  const clock = new ShiftedClock();
  clock.advance(-60 * 60_000);
  const when = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const fake = fakeDeps({ home, env: { ...box.env, CANALE_HOME: home }, clock });
  const code = await main(['schedule', 'add', 'carta.md', '--at', when, '--yes', '--json', ...flags], { ...fake.deps, cwd: dir, ids: { next: (p) => `${p}${minutesAgo}x${flags.length}` } });
  expect(code, fake.stderr.text).toBe(0);
  return (JSON.parse(fake.stdout.text) as { id: string }).id;
}

interface RunJson {
  entries: Array<{ action: string; campaign?: string; status?: string; counts?: Report['counts'] }>;
}

describe('canale schedule run, end to end', () => {
  it('two runs started at the same moment send each due campaign once', async () => {
    await prepareRaccolta(cli, dir, 60);
    // outside any quiet hours, whatever the time of the test run
    expect((await cli('config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
    await addDue(3);
    await addDue(2);
    await addDue(1);
    const [a, b] = await Promise.all([cli('schedule', 'run', '--json'), cli('schedule', 'run', '--json')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const fired = [a, b].flatMap((r) => (JSON.parse(r.stdout) as RunJson).entries).filter((e) => e.action === 'fired' && e.status === 'completed');
    expect(fired).toHaveLength(3);
    const delivered = deliveredTo(box);
    expect(delivered.size).toBe(60);
    expect([...delivered.values()].every((n) => n === 3)).toBe(true);
    const campaigns = JSON.parse((await cli('campaigns', 'list', '--json')).stdout) as unknown[];
    expect(campaigns).toHaveLength(3);
    // and a third run finds nothing left to do
    const third = await cli('schedule', 'run', '--json');
    expect((JSON.parse(third.stdout) as RunJson).entries).toEqual([]);
  }, 60_000);

  it('a run killed mid-send is resumed by the next run: completed, nobody twice', async () => {
    await prepareRaccolta(cli, dir, 1200);
    expect((await cli('config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
    await addDue(1, '--rate', '150');
    const running = startCli(['schedule', 'run'], { home, cwd: dir, env: box.env });
    await box.whenAnswered(300);
    running.child.kill('SIGKILL');
    expect((await running.done).signal).toBe('SIGKILL');
    const before = deliveredTo(box).size;
    expect(before).toBeGreaterThanOrEqual(300);
    expect(before).toBeLessThan(1200);

    // the next run takes over the dead run's locks once they are stale, and goes on with its campaign
    const next = await cli('schedule', 'run', '--json');
    const entries = (JSON.parse(next.stdout) as RunJson).entries;
    expect(entries).toEqual([expect.objectContaining({ action: 'resumed', status: 'completed' })]);
    const counts = entries[0]?.counts;
    // recipients in flight at the kill are not known to be reached: partial (test/e2e/resume.test.ts)
    expect(next.code, next.stderr).toBe((counts?.unknown ?? 0) > 0 ? 3 : 0);
    expect((counts?.sent ?? 0) + (counts?.unknown ?? 0)).toBe(1200);
    expect(counts?.unknown).toBeLessThanOrEqual(120);
    const delivered = deliveredTo(box);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(delivered.size).toBeGreaterThanOrEqual(counts?.sent ?? 0);
    expect((JSON.parse((await cli('schedule', 'run', '--json')).stdout) as RunJson).entries).toEqual([]);
  }, 90_000);

  it('install --print names this Node, this canale and this home, and loads schedule.env as systemd does', async () => {
    const printed = await cli('schedule', 'install', '--print');
    expect(printed.code, printed.stderr).toBe(0);
    const env = join(home, 'schedule.env');
    expect(printed.stdout).toContain(`* * * * * set -a; [ -f ${env} ] && . ${env}; CANALE_HOME=${home}; set +a; exec ${process.execPath} ${BIN} schedule run\n`);
    expect(printed.stdout).toContain(`EnvironmentFile=-${env}\n`);
    expect(printed.stdout).toContain(`ExecStart=${process.execPath} ${BIN} schedule run\n`);
  });

  it('refuses a send in quiet hours, with when they end; --urgent sends it and the report says urgent', async () => {
    await prepareRaccolta(cli, dir, 10);
    // quiet hours from an hour ago to an hour from now, in UTC, whenever the test runs
    const hhmm = (ms: number) => new Date(Date.now() + ms).toISOString().slice(11, 16);
    expect((await cli('config', 'set', 'timezone', 'UTC')).code).toBe(0);
    expect((await cli('config', 'set', 'quietHours.whatsapp', `${hhmm(-3600_000)}-${hhmm(3600_000)}`)).code).toBe(0);
    const refused = await cli('send', '--message', 'carta.md', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/inside the WhatsApp quiet hours \(\d\d:\d\d–\d\d:\d\d, UTC\); they end at \d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(box.graph.received).toHaveLength(0);
    const urgent = await cli('send', '--message', 'carta.md', '--urgent', '--yes', '--json');
    expect(urgent.code, urgent.stderr).toBe(0);
    const report = JSON.parse(urgent.stdout.trim().split('\n').at(-1) ?? '{}') as Report & { urgent: boolean };
    expect(report).toMatchObject({ status: 'completed', urgent: true, counts: { sent: 10 } });
    expect(deliveredTo(box).size).toBe(10);
  });

  it('the crontab line, run as cron runs it (env -i): without credentials nothing is sent, nothing goes to the outbox, exit 1 naming them; with schedule.env it sends', async () => {
    // a home whose path needs quoting in the crontab line
    const odd = join(dir, "l'home di prova");
    const oddCli = (...args: string[]): Promise<CliResult> => runCli(args, { home: odd, cwd: dir, env: box.env });
    await prepareRaccolta(oddCli, dir, 6);
    expect((await oddCli('config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
    // due a few seconds from now: the binaries read the real clock
    const due = Date.now() + 10_000;
    const added = await oddCli('schedule', 'add', 'carta.md', '--at', new Date(due).toISOString(), '--via', 'cloud-api', '--yes', '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('WhatsApp: 3 via cloud-api');
    expect(JSON.parse(added.stdout)).toMatchObject({ transports: { whatsapp: 'cloud-api', email: 'smtp' } });
    const printed = await oddCli('schedule', 'install', '--print');
    const line = printed.stdout.split('\n').find((l) => l.startsWith('* * * * * '));
    const command = (line ?? '').slice('* * * * * '.length);
    expect(command).toContain(`'${join(odd, 'schedule.env').replace(/'/g, "'\\''")}'`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now() + 100)));

    const bare = await asCron(command);
    expect(bare.code, bare.stderr).toBe(1);
    expect(bare.stderr).toMatch(/schedule sch_\w+ sends WhatsApp through cloud-api and e-mail through smtp, but CANALE_WHATSAPP_TOKEN \(whatsapp\.token\), CANALE_WHATSAPP_PHONE_NUMBER_ID \(whatsapp\.phoneNumberId\), CANALE_SMTP_URL \(email\.smtpUrl\) and CANALE_EMAIL_FROM \(email\.from\) are not set here/);
    expect(bare.stderr).toContain(join(odd, 'schedule.env'));
    expect(existsSync(join(odd, 'outbox'))).toBe(false);
    expect(deliveredTo(box).size).toBe(0);

    const lines = Object.entries(box.env).map(([k, v]) => `${k}='${v}'`);
    await writeFile(join(odd, 'schedule.env'), `# canale schedule run\n${lines.join('\n')}\n`);
    await chmod(join(odd, 'schedule.env'), 0o600);
    const loaded = await asCron(command);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toMatch(/^fired schedule sch_\w+ → campaign cmp_\w+: completed: 6 sent, 0 failed/m);
    const received = (await (await fetch(`${box.env.CANALE_WHATSAPP_API_URL ?? ''}/sandbox/received`)).json()) as { whatsapp: unknown[] };
    expect(received.whatsapp).toHaveLength(3);
    expect(box.sink.received).toHaveLength(3);
    expect(deliveredTo(box).size).toBe(6);
    expect(existsSync(join(odd, 'outbox'))).toBe(false);
  }, 60_000);
});

/** Runs a crontab line's command as cron would, and stricter: /bin/sh with an empty environment (env -i). */
function asCron(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
