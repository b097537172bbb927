import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import type { CliResult } from '../support/cli.js';
import { fakeDeps, ShiftedClock } from '../support/fake-deps.js';
import { deliveredTo, lastJson, prepareRaccolta, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';

/**
 * Schedules, quiet hours and the daily tier, in-process against a real sandbox, with a clock moved to the instants
 * that matter (22:30, the next morning, three weeks later) — sends still pace in real time.
 */

let dir = '';
let home = '';
let box: Sandbox;
let clock: ShiftedClock;
let ids = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-schedule-'));
  home = join(dir, 'home');
  box = await startSandbox(dir);
  clock = new ShiftedClock(new Date('2026-12-01T09:00:00Z')); // Tuesday, 10:00 in Rome
});

afterEach(async () => {
  await box.graph.close();
  await box.sink.close();
  await rm(dir, { recursive: true, force: true });
});

async function canale(...args: string[]): Promise<CliResult> {
  return canaleWith({}, ...args);
}

/** As a person at a terminal: the confirmations are answered in order. */
async function canaleWith(terminal: { tty?: boolean; answers?: boolean[]; asked?: string[] }, ...args: string[]): Promise<CliResult> {
  const fake = fakeDeps({ home, env: box.env, clock, ...(terminal.tty === undefined ? {} : { tty: terminal.tty }), ...(terminal.answers === undefined ? {} : { answers: terminal.answers }) });
  const code = await main(args, { ...fake.deps, cwd: dir, ids: { next: (prefix) => `${prefix}${String(++ids).padStart(6, '0')}` } });
  terminal.asked?.push(...fake.asked);
  return { code, signal: null, stdout: fake.stdout.text, stderr: fake.stderr.text };
}

const at = (iso: string) => clock.set(new Date(iso));

interface RunJson {
  entries: Array<{ action: string; schedule?: string; campaign?: string; status?: string; missed?: number; until?: string; reason?: string; counts?: Report['counts'] }>;
  next: string | null;
}

async function run(...flags: string[]): Promise<RunJson & { result: CliResult }> {
  const result = await canale('schedule', 'run', '--json', ...flags);
  expect(result.code, result.stderr).toBe(0);
  return { ...(JSON.parse(result.stdout) as RunJson), result };
}

function everyoneOnce(expected: number): void {
  const delivered = deliveredTo(box);
  expect(delivered.size).toBe(expected);
  expect([...delivered.values()].every((n) => n === 1)).toBe(true);
}

describe('canale schedule add | list | show | cancel', () => {
  it('checks WHEN, the pattern and the message when the schedule is added, and stores nothing otherwise', async () => {
    await prepareRaccolta(canale, dir, 4);
    const cases: Array<[string[], number, RegExp]> = [
      [['--topic', 'raccolta-differenziata'], 2, /--at "YYYY-MM-DD HH:MM" \(once\) or --every/],
      [['--at', '2026-12-02 10:00', '--every', '0 9 * * 1'], 2, /--at "YYYY-MM-DD HH:MM"/],
      [['--at', '2026-11-30 10:00'], 2, /in the past.*canale send/],
      [['--at', '2027-03-28 02:30'], 2, /does not exist in Europe\/Rome/],
      [['--at', 'domani'], 2, /got "domani"/],
      [['--every', '*/10 * * * *'], 2, /more often than once an hour/],
      [['--every', '0 0 9 * * 1'], 2, /seconds field/],
    ];
    for (const [flags, code, message] of cases) {
      const result = await canale('schedule', 'add', 'carta.md', ...flags, '--yes');
      expect(result.code, flags.join(' ')).toBe(code);
      expect(result.stderr).toMatch(message);
    }
    const unknown = await canale('schedule', 'add', join(dir, 'nowhere.md'), '--at', '2026-12-02 10:00', '--yes');
    expect(unknown.code).toBe(1);
    const noYes = await canale('schedule', 'add', 'carta.md', '--at', '2026-12-02 10:00');
    expect(noYes.code).toBe(2);
    expect(JSON.parse((await canale('schedule', 'list', '--all', '--json')).stdout)).toEqual([]);
  });

  it('stores times in UTC, shows them in the configured zone, and cancels', async () => {
    await prepareRaccolta(canale, dir, 4);
    const added = await canale('schedule', 'add', 'carta.md', '--at', '2026-12-02 10:00', '--yes', '--json');
    expect(added.code, added.stderr).toBe(0);
    const schedule = JSON.parse(added.stdout) as { id: string; next: string; timezone: string };
    expect(schedule).toMatchObject({ next: '2026-12-02T09:00:00.000Z', timezone: 'Europe/Rome' });
    const weekly = await canale('schedule', 'add', 'carta.md', '--every', '0 9 * * 1', '--yes', '--json');
    expect(JSON.parse(weekly.stdout)).toMatchObject({ every: '0 9 * * 1', next: '2026-12-07T08:00:00.000Z' });

    const list = await canale('schedule', 'list');
    expect(list.stdout).toContain('2026-12-02 10:00 (Europe/Rome)');
    expect(list.stdout).toContain('2026-12-07 09:00 (Europe/Rome)');
    const show = await canale('schedule', 'show', schedule.id);
    expect(show.stdout).toContain('when: once, 2026-12-02 10:00 (Europe/Rome)');

    expect((await canale('schedule', 'cancel', schedule.id)).code).toBe(0);
    expect((await canale('schedule', 'cancel', schedule.id)).code).toBe(1);
    expect(JSON.parse((await canale('schedule', 'list', '--json')).stdout)).toHaveLength(1);
    expect(JSON.parse((await canale('schedule', 'list', '--all', '--json')).stdout)).toEqual([
      expect.objectContaining({ id: schedule.id, status: 'cancelled', next: null }),
      expect.objectContaining({ every: '0 9 * * 1', status: 'active' }),
    ]);
    at('2026-12-02T09:00:30Z');
    expect((await run()).entries.filter((e) => e.action === 'fired')).toHaveLength(0);
  });

  it('doctor says when something planned is overdue: schedule run is not running', async () => {
    await prepareRaccolta(canale, dir, 2);
    await canale('schedule', 'add', 'carta.md', '--at', '2026-12-01 11:00', '--yes');
    const check = async () => (JSON.parse((await canale('doctor', '--json')).stdout) as { checks: Array<{ name: string; ok: boolean | string; detail: string }> }).checks.find((c) => c.name === 'schedules');
    expect(await check()).toEqual({ name: 'schedules', ok: true, detail: '1 active schedule(s), 0 campaign(s) waiting' });
    at('2026-12-01T10:30:00Z');
    expect(await check()).toMatchObject({ ok: 'warn', detail: expect.stringMatching(/overdue: schedule sch_\w+ \(due 2026-12-01T10:00:00.000Z\).*canale schedule install --print/) });
  });

  it('prints a crontab line and a systemd service + timer for this home', async () => {
    const printed = await canale('schedule', 'install', '--print');
    expect(printed.code).toBe(0);
    const env = join(home, 'schedule.env');
    expect(printed.stdout).toContain(`\n* * * * * set -a; [ -f ${env} ] && . ${env}; CANALE_HOME=${home}; set +a; exec node canale schedule run\n`);
    expect(printed.stdout).toContain(`EnvironmentFile=-${env}\n`);
    expect(printed.stdout).toContain('[Timer]\nOnCalendar=*-*-* *:*:00');
    expect(printed.stdout).toContain(`Environment=CANALE_HOME=${home}`);
    expect(printed.stdout).toMatch(/^ExecStart=\S+ \S+ schedule run$/m);
    expect((await canale('schedule', 'install')).code).toBe(2);
  });
});

describe('canale schedule run', () => {
  it('sends a due schedule once, is silent when nothing is due, and says so with --verbose', async () => {
    await prepareRaccolta(canale, dir, 20);
    await canale('schedule', 'add', 'carta.md', '--at', '2026-12-01 11:00', '--yes');
    const early = await canale('schedule', 'run');
    expect(early).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await canale('schedule', 'run', '--verbose')).stderr).toMatch(/nothing due\nnext: 2026-12-01 11:00 \(Europe\/Rome\)/);

    at('2026-12-01T10:00:30Z');
    const fired = await run();
    expect(fired.entries).toEqual([expect.objectContaining({ action: 'fired', status: 'completed', counts: expect.objectContaining({ sent: 20, failed: 0 }) })]);
    everyoneOnce(20);
    expect((await run()).entries).toEqual([]);
    everyoneOnce(20);
    expect(JSON.parse((await canale('schedule', 'list', '--all', '--json')).stdout)).toEqual([expect.objectContaining({ status: 'done', next: null, runs: [expect.objectContaining({ slot: '2026-12-01T10:00:00.000Z' })] })]);
  });

  it('while a person\'s send holds the lock, what is due waits: exit 4, and the next run sends it', async () => {
    await prepareRaccolta(canale, dir, 10);
    await canale('schedule', 'add', 'carta.md', '--at', '2026-12-01 10:30', '--yes');
    at('2026-12-01T09:30:10Z');
    const manual = canale('send', '--message', 'carta.md', '--rate', '4', '--yes');
    await box.whenAnswered(1);
    const busy = await canale('schedule', 'run', '--json');
    expect(busy.code).toBe(4);
    expect(JSON.parse(busy.stdout)).toMatchObject({ entries: [{ action: 'busy' }] });
    expect(busy.stderr).toMatch(/another send is running \(campaign cmp_\w+.*what is due waits for the next canale schedule run/);
    expect((await manual).code).toBe(0);
    expect((await run()).entries).toEqual([expect.objectContaining({ action: 'fired', status: 'completed' })]);
    expect([...deliveredTo(box).values()].every((n) => n === 2)).toBe(true);
  });

  it('a recurring schedule that missed slots while the machine was off sends once and says so; across the October change it stays at 09:00 local', async () => {
    at('2026-10-20T08:00:00Z'); // a Tuesday, before the clocks go back on the 25th
    await prepareRaccolta(canale, dir, 6);
    const added = await canale('schedule', 'add', 'carta.md', '--every', '0 9 * * 1', '--yes', '--json');
    expect(JSON.parse(added.stdout)).toMatchObject({ next: '2026-10-26T08:00:00.000Z' }); // 09:00 CET

    at('2026-11-17T09:00:00Z'); // three weeks later: the slots of 26 Oct, 2, 9 and 16 Nov passed
    const late = await run();
    expect(late.entries).toEqual([expect.objectContaining({ action: 'fired', missed: 3, status: 'completed' })]);
    expect(late.result.stderr).toContain('3 more slot(s) passed while canale schedule run was not running — sent once');
    expect(late.next).toBe('2026-11-23T08:00:00.000Z');
    everyoneOnce(6);

    at('2026-11-23T08:00:20Z');
    const onTime = await run();
    expect(onTime.entries).toEqual([expect.objectContaining({ action: 'fired', status: 'completed' })]);
    expect(onTime.entries[0]?.missed).toBeUndefined();
    expect([...deliveredTo(box).values()].every((n) => n === 2)).toBe(true);
  });

  it('a scheduled send due in quiet hours waits until they end', async () => {
    await prepareRaccolta(canale, dir, 10);
    const added = await canale('schedule', 'add', 'carta.md', '--channel', 'whatsapp', '--at', '2026-12-01 22:30', '--yes');
    expect(added.stderr).toContain('2026-12-01 22:30 (Europe/Rome) is inside quiet hours: it will wait until they end (2026-12-02 08:00 (Europe/Rome))');

    at('2026-12-01T21:31:00Z');
    const night = await run('--verbose');
    expect(night.entries).toEqual([expect.objectContaining({ action: 'waiting', reason: 'quiet-hours', until: '2026-12-02T07:00:00.000Z' })]);
    expect(night.result.stderr).toContain('waits for quiet hours to end at 2026-12-02 08:00 (Europe/Rome)');
    expect(box.graph.received).toHaveLength(0);

    at('2026-12-02T07:00:10Z');
    expect((await run()).entries).toEqual([expect.objectContaining({ action: 'fired', status: 'completed', counts: expect.objectContaining({ sent: 10 }) })]);
    everyoneOnce(10);
  });

  it('a long send that reaches quiet hours pauses, and the next run after they end completes it, nobody twice', async () => {
    await prepareRaccolta(canale, dir, 20);
    await canale('schedule', 'add', 'carta.md', '--channel', 'whatsapp', '--rate', '4', '--at', '2026-12-01 20:59', '--yes');
    at('2026-12-01T19:59:57.500Z'); // 20:59:57.5: quiet hours begin in 2.5 s, the send needs 5 s
    const evening = await run();
    expect(evening.entries).toEqual([expect.objectContaining({ action: 'fired', status: 'scheduled', reason: 'quiet-hours', until: '2026-12-02T07:00:00.000Z' })]);
    const before = deliveredTo(box).size;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(20);
    const waiting = JSON.parse((await canale('campaigns', 'list', '--json')).stdout) as Array<{ status: string }>;
    expect(waiting).toEqual([expect.objectContaining({ status: 'scheduled' })]);

    at('2026-12-01T23:00:00Z');
    expect((await run()).entries).toEqual([]);
    at('2026-12-02T07:00:30Z');
    const morning = await run();
    expect(morning.entries).toEqual([expect.objectContaining({ action: 'resumed', status: 'completed', counts: expect.objectContaining({ sent: 20, unknown: 0 }) })]);
    everyoneOnce(20);
  }, 30_000);

  it('--split sends what the daily tier allows and the rest, a tier at a time, when it frees up', async () => {
    await prepareRaccolta(canale, dir, 12);
    expect((await canale('config', 'set', 'whatsapp.dailyLimit', '5')).code).toBe(0);
    const sent = await canale('send', '--message', 'carta.md', '--channel', 'whatsapp', '--split', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain("12 WhatsApp recipients is more than the account's tier of 5 unique recipients in 24 hours: --split sends");
    const first = lastJson<Report & { resumeAt: string; waitingFor: string }>(sent.stdout);
    expect(first).toMatchObject({ status: 'scheduled', waitingFor: 'daily-limit', counts: { sent: 5 } });
    expect(Date.parse(first.resumeAt) - Date.parse('2026-12-01T09:00:00Z')).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(Date.parse(first.resumeAt) - Date.parse('2026-12-01T09:00:00Z')).toBeLessThan(24 * 3600_000 + 5 * 60_000);
    expect(deliveredTo(box).size).toBe(5);

    at('2026-12-01T15:00:00Z');
    expect((await run()).entries).toEqual([]);
    at('2026-12-02T09:10:00Z');
    expect((await run()).entries).toEqual([expect.objectContaining({ action: 'resumed', status: 'scheduled', reason: 'daily-limit', counts: expect.objectContaining({ sent: 10 }) })]);
    at('2026-12-03T09:20:00Z');
    expect((await run()).entries).toEqual([expect.objectContaining({ action: 'resumed', status: 'completed', counts: expect.objectContaining({ sent: 12 }) })]);
    everyoneOnce(12);
  });
});

describe('quiet hours and --urgent on canale send', () => {
  it('refuses a send inside quiet hours with when they end; --urgent sends and is recorded as urgent', async () => {
    await prepareRaccolta(canale, dir, 6);
    at('2026-12-01T22:00:00Z'); // 23:00 in Rome
    const refused = await canale('send', '--message', 'carta.md', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('inside the WhatsApp quiet hours (21:00–08:00, Europe/Rome); they end at 2026-12-02 08:00');
    expect(refused.stderr).toContain('--urgent');
    expect(box.graph.received).toHaveLength(0);

    const urgent = await canale('send', '--message', 'carta.md', '--urgent', '--yes', '--json');
    expect(urgent.code, urgent.stderr).toBe(0);
    expect(lastJson<Report & { urgent: boolean }>(urgent.stdout)).toMatchObject({ status: 'completed', urgent: true, counts: { sent: 6 } });
    const shown = await canale('campaigns', 'show', lastJson<Report>(urgent.stdout).campaign);
    expect(shown.stdout).toContain('urgent: quiet hours did not apply');
  });

  it('the outbox has no quiet hours: nothing leaves the machine, nobody is woken', async () => {
    await prepareRaccolta(canale, dir, 6);
    at('2026-12-01T22:00:00Z');
    const sent = await canale('send', '--message', 'carta.md', '--via', 'outbox', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    expect(lastJson<Report>(sent.stdout)).toMatchObject({ status: 'completed', counts: { sent: 6 } });
    expect(box.graph.received).toHaveLength(0);
  });

  it('on a terminal, asks whether a send in quiet hours is urgent; yes sends it as urgent, no refuses it', async () => {
    await prepareRaccolta(canale, dir, 6);
    at('2026-12-01T22:00:00Z');
    const asked: string[] = [];
    const no = await canaleWith({ tty: true, answers: [false], asked }, 'send', '--message', 'carta.md', '--quiet');
    expect(no.code).toBe(1);
    expect(asked).toEqual(['Quiet hours: is this urgent (an emergency that cannot wait until they end)?']);
    expect(box.graph.received).toHaveLength(0);
    // --yes confirms the send, never its urgency
    const yes = await canaleWith({ tty: true, answers: [] }, 'send', '--message', 'carta.md', '--quiet', '--yes');
    expect(yes.code).toBe(1);

    const confirmed: string[] = [];
    const sent = await canaleWith({ tty: true, answers: [true, true], asked: confirmed }, 'send', '--message', 'carta.md', '--quiet', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    expect(confirmed[1]).toMatch(/^Send URGENTLY to 6 recipient/);
    expect(lastJson<Report & { urgent: boolean }>(sent.stdout)).toMatchObject({ urgent: true, counts: { sent: 6 } });
  });

  it('refuses a send that would run into quiet hours, by its estimated length', async () => {
    await prepareRaccolta(canale, dir, 20);
    at('2026-12-01T19:59:00Z'); // 20:59: 10 WhatsApp messages at 0.1/s take 100 s
    const refused = await canale('send', '--message', 'carta.md', '--rate', '0.1', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('would run into the WhatsApp quiet hours (21:00–08:00, Europe/Rome) at 2026-12-01 21:00');
  });
});
