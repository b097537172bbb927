import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { deliveredTo, lastJson, prepareRaccolta, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';

/**
 * WhatsApp's pair rate limit (131056) is about one citizen (issue 16 §2), through the built binary: the sandbox
 * answers it three times for one number; that citizen is tried again after 6 s, 6 s and 16 s while everyone else is
 * sent at the full rate — the rate never halved, the send never stopped, everyone reached once.
 */

let dir = '';
let home = '';
let box: Sandbox | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-pair-limit-'));
  home = join(dir, 'home');
});
afterEach(async () => {
  await box?.graph.close();
  await box?.sink.close();
  box = undefined;
  await rm(dir, { recursive: true, force: true });
});

const cli = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env });

describe('one citizen answered 131056 three times', () => {
  it('waits for that citizen alone: everyone reached once, the rate not halved, no stop', async () => {
    box = await startSandbox(dir);
    const env = box.env;
    await prepareRaccolta((...args) => cli(env, ...args), dir, 240);
    expect((await cli(env, 'config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
    const slowed = '+393331000017';
    const armed = await request(`${env.CANALE_WHATSAPP_API_URL}/sandbox/pair-limit`, { method: 'POST', body: JSON.stringify({ to: slowed, times: 3 }) });
    expect(armed.statusCode).toBe(200);
    await armed.body.dump();

    const sent = await cli(env, 'send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '60', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    const report = lastJson<Report>(sent.stdout);
    expect(report.status).toBe('completed');
    expect(report.counts).toMatchObject({ sent: 240, failed: 0, unknown: 0 });
    expect([...deliveredTo(box).values()].every((n) => n === 1)).toBe(true);
    expect(deliveredTo(box).size).toBe(240);

    // the citizen's four requests: three refused with 131056, 6 s, 6 s and 16 s apart, then accepted
    const answered = box.graph.received.map((m, k) => ({ to: `+${m.to.replace(/\D/g, '')}`, outcome: m.outcome, at: box?.answeredAt.whatsapp[k] ?? 0 }));
    const theirs = answered.filter((m) => m.to === slowed);
    expect(theirs.map((m) => ('error' in m.outcome ? m.outcome.error : 'ok'))).toEqual([131056, 131056, 131056, 'ok']);
    const at = theirs.map((m) => m.at);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(6_000);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(6_000);
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(16_000);
    // everyone else was reached at 60/s meanwhile, long before the citizen's second try
    const others = answered.filter((m) => m.to !== slowed).map((m) => m.at);
    expect(Math.max(...others)).toBeLessThan(at[1]!);

    const shown = JSON.parse((await cli(env, 'campaigns', 'show', report.campaign, '--json')).stdout) as { throttling?: Record<string, { answers: number; slowdowns: number }>; stopCode?: string };
    expect(shown.throttling?.whatsapp).toMatchObject({ answers: 0, slowdowns: 0 });
    expect(shown).not.toHaveProperty('stopCode');
  }, 90_000);
});
