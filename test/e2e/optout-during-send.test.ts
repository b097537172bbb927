import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliResult } from '../support/cli.js';
import { deliveredTo, lastJson, prepareRaccolta, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';

/**
 * An opt-out made while a send runs reaches it through the opt-out feed within a second (DESIGN §7), through the
 * built binary against the sandbox: the citizen's message does not leave if it has not yet; a topic left between
 * a `kill -9` and the resume is honoured by the resume.
 */

let dir = '';
let home = '';
let box: Sandbox | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-optout-e2e-'));
  home = join(dir, 'home');
});

afterEach(async () => {
  await box?.graph.close();
  await box?.sink.close();
  box = undefined;
  await rm(dir, { recursive: true, force: true });
});

const cli = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env });
/** prepareRaccolta's citizen i, at position i of a send with --channel whatsapp (everyone has a phone). */
const phoneOf = (i: number) => `+393331${String(i).padStart(6, '0')}`;

async function prepare(sandbox: Sandbox, n: number): Promise<void> {
  await prepareRaccolta((...args) => cli(sandbox.env, ...args), dir, n);
  expect((await cli(sandbox.env, 'config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
}

async function skipReasons(env: Record<string, string>): Promise<string[]> {
  const csv = (await cli(env, 'report', '--last', '--format', 'csv')).stdout;
  return csv.split('\n').filter((line) => line.includes(',skipped,'));
}

describe('an opt-out during a send', () => {
  it('stops the message of citizens later in the queue: STOP from everything, and leaving the only topic', async () => {
    box = await startSandbox(dir);
    await prepare(box, 80);
    const send = startCli(['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '10', '--concurrency', '1', '--yes', '--json'], { home, cwd: dir, env: box.env });
    await box.whenAnswered(3);
    // positions 70 and 74 of 80, about seven seconds away at 10/s
    const stop = await cli(box.env, 'subscribers', 'unsubscribe', phoneOf(70));
    expect(stop.code, stop.stderr).toBe(0);
    const leave = await cli(box.env, 'subscribers', 'unsubscribe', phoneOf(74), '--topic', 'raccolta-differenziata');
    expect(leave.code, leave.stderr).toBe(0);
    const sent = await send.done;
    expect(sent.code, sent.stderr).toBe(0);
    const report = lastJson<Report>(sent.stdout);
    expect(report.counts.skipped).toBe(2);
    expect(report.counts.sent + report.counts.skipped).toBe(80);
    const got = deliveredTo(box);
    expect(got.has(phoneOf(70))).toBe(false);
    expect(got.has(phoneOf(74))).toBe(false);
    expect(got.size).toBe(78);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    const skipped = await skipReasons(box.env);
    expect(skipped).toHaveLength(2);
    for (const line of skipped) expect(line).toContain(',skipped,opted-out-during-send,');
  }, 60_000);

  it('a topic left between kill -9 and --resume is honoured by the resume', async () => {
    box = await startSandbox(dir);
    await prepare(box, 80);
    const send = startCli(['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '20', '--concurrency', '1', '--yes'], { home, cwd: dir, env: box.env });
    await box.whenAnswered(5);
    send.child.kill('SIGKILL');
    expect((await send.done).signal).toBe('SIGKILL');
    const list = JSON.parse((await cli(box.env, 'campaigns', 'list', '--json')).stdout) as Array<{ id: string }>;
    const campaign = list[0]?.id ?? '';
    const leave = await cli(box.env, 'subscribers', 'unsubscribe', phoneOf(60), '--topic', 'raccolta-differenziata');
    expect(leave.code, leave.stderr).toBe(0);
    const resumed = await cli(box.env, 'send', '--resume', campaign, '--resend-unknown', '--json');
    expect([0, 3]).toContain(resumed.code);
    expect(deliveredTo(box).has(phoneOf(60))).toBe(false);
    const skipped = await skipReasons(box.env);
    expect(skipped, skipped.join('\n')).toHaveLength(1);
    expect(skipped[0]).toContain(',skipped,opted-out-of-topic,');
  }, 60_000);
});
