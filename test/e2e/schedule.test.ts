import { mkdtemp, rm } from 'node:fs/promises';
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
    expect(next.code, next.stderr).toBe(0);
    const entries = (JSON.parse(next.stdout) as RunJson).entries;
    expect(entries).toEqual([expect.objectContaining({ action: 'resumed', status: 'completed' })]);
    const counts = entries[0]?.counts;
    expect((counts?.sent ?? 0) + (counts?.unknown ?? 0)).toBe(1200);
    expect(counts?.unknown).toBeLessThanOrEqual(120);
    const delivered = deliveredTo(box);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(delivered.size).toBeGreaterThanOrEqual(counts?.sent ?? 0);
    expect((JSON.parse((await cli('schedule', 'run', '--json')).stdout) as RunJson).entries).toEqual([]);
  }, 90_000);

  it('install --print names this Node, this canale and this home', async () => {
    const printed = await cli('schedule', 'install', '--print');
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain(`* * * * * CANALE_HOME=${home} ${process.execPath} ${BIN} schedule run\n`);
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
});
