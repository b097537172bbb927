import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { runCli, startCli, type CliResult } from '../support/cli.js';
import { fakeDeps, ShiftedClock } from '../support/fake-deps.js';
import { deliveredTo, lastJson, mostWithin, prepareRaccolta, startSandbox as startSandboxIn, type Report, type Sandbox, type SandboxFaults } from '../support/send-sandbox.js';

/**
 * A resume after `kill -9`, through the built binary against the sandbox: it goes on at the campaign's own pace
 * (DESIGN §7.2), and it is honest about the recipients whose outcome it cannot know — exit 3, their count, and
 * what `--resend-unknown` would do.
 */

type Resumed = Report & { unknownAdvice?: string };

let dir = '';
let home = '';
let sandbox: Sandbox | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-resume-e2e-'));
  home = join(dir, 'home');
});

afterEach(async () => {
  await sandbox?.graph.close();
  await sandbox?.sink.close();
  sandbox = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function startSandbox(faults: SandboxFaults = {}): Promise<Sandbox> {
  sandbox = await startSandboxIn(dir, faults);
  return sandbox;
}

const cli = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env });

async function prepare(env: Record<string, string>, n: number): Promise<void> {
  await prepareRaccolta((...args) => cli(env, ...args), dir, n);
  expect((await cli(env, 'config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
}

/** Starts `args`, waits until the sandbox has answered `answered` messages, and kills it with SIGKILL. */
async function killAfter(box: Sandbox, answered: number, args: readonly string[]): Promise<void> {
  const running = startCli(args, { home, cwd: dir, env: box.env });
  await box.whenAnswered(answered);
  running.child.kill('SIGKILL');
  expect((await running.done).signal).toBe('SIGKILL');
}

async function onlyCampaign(env: Record<string, string>): Promise<string> {
  const list = JSON.parse((await cli(env, 'campaigns', 'list', '--json')).stdout) as Array<{ id: string }>;
  expect(list).toHaveLength(1);
  return list[0]?.id ?? '';
}

const ADVICE = /(\d+) recipient\(s\) with an unknown outcome: their message was on its way when the send was killed, or its answer never came \(a timeout, a reset\), so WhatsApp may have accepted it \(or not\)\. WhatsApp's receipts settle them as they reach canale webhook serve; canale send --resume (cmp_\w+) --resend-unknown sends it to those still unknown once the grace has passed \(send\.unknownGraceMinutes\): any who did get it will get it twice/;

describe('send --resume after kill -9', () => {
  it('goes on at the pace the campaign was sent at — 20/s at the sandbox, not the default 80 — and refuses a faster flag', async () => {
    const box = await startSandbox();
    await prepare(box.env, 160);
    // whatsapp.rate is 80 by default: a resume that forgot the campaign's own --rate would go four times as fast
    await killAfter(box, 30, ['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '20', '--concurrency', '4', '--yes']);
    const campaign = await onlyCampaign(box.env);
    const before = box.answeredAt.whatsapp.length;
    expect(before).toBeLessThan(60);

    const faster = await cli(box.env, 'send', '--resume', campaign, '--rate', '80');
    expect(faster.code).toBe(2);
    expect(faster.stderr).toContain(`--rate 80: campaign ${campaign} was sent at 20/s on WhatsApp, and a resume goes on at its own pace or slower — drop --rate, or give a lower one`);
    const wider = await cli(box.env, 'send', '--resume', campaign, '--concurrency', '10');
    expect(wider.code).toBe(2);
    expect(wider.stderr).toContain('was sent with 4 requests at a time');
    expect(box.answeredAt.whatsapp).toHaveLength(before);

    const resumed = await cli(box.env, 'send', '--resume', campaign, '--json');
    const report = lastJson<Resumed>(resumed.stdout);
    expect(resumed.code, resumed.stderr).toBe(report.counts.unknown > 0 ? 3 : 0);
    expect(resumed.stderr).toMatch(new RegExp(`campaign ${campaign}: \\d+ recipient\\(s\\) still to reach, at WhatsApp 20/s, 4 request\\(s\\) at a time`));
    expect(report.counts.sent + report.counts.unknown).toBe(160);
    const after = box.answeredAt.whatsapp.slice(before);
    expect(after.length).toBeGreaterThanOrEqual(100);
    // 20 a second at the sandbox, as the limiter spaces them (a resume at the default 80/s shows about 80 here).
    // A request a loaded machine holds back for more than the limiter's 20 ms margin arrives with the next one, so
    // a one-second window may show one more; over five seconds such shifts cannot add up to more than the pace.
    expect(mostWithin(after, 5000)).toBeLessThanOrEqual(100);
    expect(mostWithin(after, 1000)).toBeLessThanOrEqual(21);
    // it did send at about its pace, so the measure means something
    expect(mostWithin(after, 5000)).toBeGreaterThanOrEqual(60);
    expect([...deliveredTo(box).values()].every((n) => n === 1)).toBe(true);
  }, 60_000);

  it('a flag on the resume lowers the pace', async () => {
    const box = await startSandbox();
    await prepare(box.env, 80);
    await killAfter(box, 15, ['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '20', '--yes']);
    const campaign = await onlyCampaign(box.env);
    const before = box.answeredAt.whatsapp.length;
    const resumed = await cli(box.env, 'send', '--resume', campaign, '--rate', '10', '--json');
    expect(resumed.stderr).toMatch(/still to reach, at WhatsApp 10\/s, 20 request\(s\) at a time/);
    const { counts } = lastJson<Resumed>(resumed.stdout);
    expect(counts.sent + counts.unknown).toBe(80);
    const after = box.answeredAt.whatsapp.slice(before);
    expect(mostWithin(after, 5000)).toBeLessThanOrEqual(50);
    expect(mostWithin(after, 1000)).toBeLessThanOrEqual(11);
  }, 60_000);

  it('ends completed with the unknown counted, exit 3, and says what --resend-unknown would do and its risk', async () => {
    // answers take 300 ms: at the kill, requests are on the wire, and the sandbox still accepts them
    const box = await startSandbox({ latencyMs: 300 });
    await prepare(box.env, 200);
    await killAfter(box, 60, ['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '100', '--yes']);
    const campaign = await onlyCampaign(box.env);

    const resumed = await cli(box.env, 'send', '--resume', campaign, '--json');
    expect(resumed.code, resumed.stderr).toBe(3);
    const report = lastJson<Resumed>(resumed.stdout);
    expect(report.status).toBe('completed');
    expect(report.counts.unknown).toBeGreaterThan(0);
    expect(report.counts.sent + report.counts.unknown).toBe(200);
    const advice = ADVICE.exec(report.unknownAdvice ?? '');
    expect(advice, report.unknownAdvice).not.toBeNull();
    expect(advice?.[1]).toBe(String(report.counts.unknown));
    expect(advice?.[2]).toBe(campaign);

    // the table says it too, after the counts
    const table = await cli(box.env, 'report', campaign);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^unknown: ${ADVICE.source}$`, 'm'));

    // and doing it: everyone reached; only those whose first request had been accepted got it twice
    const unknown = report.counts.unknown;
    const again = await cli(box.env, 'send', '--resume', campaign, '--resend-unknown', '--json');
    expect(again.code, again.stderr).toBe(0);
    const final = lastJson<Resumed>(again.stdout);
    expect(final.counts).toMatchObject({ sent: 200, unknown: 0 });
    expect(final).not.toHaveProperty('unknownAdvice');
    const delivered = deliveredTo(box);
    expect(delivered.size).toBe(200);
    const twice = [...delivered.values()].filter((n) => n === 2).length;
    expect([...delivered.values()].every((n) => n <= 2)).toBe(true);
    expect(twice).toBeLessThanOrEqual(unknown);
  }, 60_000);

  it('schedule run going on with a killed run\'s campaign exits 3 and says the same', async () => {
    const box = await startSandbox({ latencyMs: 300 });
    await prepare(box.env, 200);
    // added an hour ago, due a minute ago: the binaries read the real clock
    const clock = new ShiftedClock();
    clock.advance(-60 * 60_000);
    const fake = fakeDeps({ home, env: { ...box.env, CANALE_HOME: home }, clock });
    const when = new Date(Date.now() - 60_000).toISOString();
    const added = await main(['schedule', 'add', 'carta.md', '--at', when, '--channel', 'whatsapp', '--rate', '100', '--yes'], { ...fake.deps, cwd: dir });
    expect(added, fake.stderr.text).toBe(0);
    await killAfter(box, 60, ['schedule', 'run']);

    const next = await cli(box.env, 'schedule', 'run');
    expect(next.code, next.stderr).toBe(3);
    const line = /^resumed schedule sch_\w+ → campaign (cmp_\w+): completed: (\d+) sent, 0 failed, 0 skipped, (\d+) unknown$/m.exec(next.stdout);
    expect(line, next.stdout).not.toBeNull();
    expect(Number(line?.[2]) + Number(line?.[3])).toBe(200);
    expect(next.stdout).toMatch(new RegExp(`^  unknown: ${ADVICE.source}$`, 'm'));
    expect(next.stderr).toMatch(/still to reach, at WhatsApp 100\/s, 20 request\(s\) at a time/);
    expect([...deliveredTo(box).values()].every((n) => n === 1)).toBe(true);
  }, 60_000);
});
