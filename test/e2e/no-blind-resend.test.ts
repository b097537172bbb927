import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli, startWebhookServe, type CliResult } from '../support/cli.js';
import { deliveredTo, lastJson, prepareRaccolta, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';
import { untilApplied } from '../support/webhook-applied.js';

/**
 * No blind resend, and the account's trouble met at once (issue 16 §2–3), through the built binary against the
 * sandbox with `webhook serve` hearing its receipts: a request answered too late and one whose connection is reset
 * after Meta accepted it are left unknown, settled by their receipts, and never sent twice; 131048 pauses the send
 * at its first answer, resumable.
 */

let dir = '';
let home = '';
let box: Sandbox | undefined;
let server: ReturnType<typeof startCli> | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-no-blind-resend-'));
  home = join(dir, 'home');
});
afterEach(async () => {
  server?.child.kill('SIGKILL');
  await server?.done;
  server = undefined;
  await box?.graph.close();
  await box?.sink.close();
  box = undefined;
  await rm(dir, { recursive: true, force: true });
});

const cli = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env });
const phoneOf = (i: number) => `+393331${String(i).padStart(6, '0')}`;
const sendArgs = ['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '40', '--yes', '--json'];

async function arm(sandbox: Sandbox, path: string, body: unknown, method: 'POST' | 'DELETE' = 'POST'): Promise<void> {
  const answer = await request(`${sandbox.env.CANALE_WHATSAPP_API_URL}/sandbox/${path}`, { method, body: body === undefined ? null : JSON.stringify(body) });
  expect(answer.statusCode, await answer.body.text()).toBe(200);
}

/** `webhook serve --port 0` in the home; the stand-in then posts its receipts to it. */
async function serve(sandbox: Sandbox): Promise<void> {
  const started = startWebhookServe({ home, cwd: dir, env: sandbox.env });
  server = started.server;
  sandbox.webhooksTo(`${await started.url}/webhooks/whatsapp`);
}

describe('a request Meta accepted whose answer was lost', () => {
  it('is left unknown, never retried, and settled by its receipt', async () => {
    // answers later than 1 s are timeouts: the slow one is accepted at once but answered after 3 s
    box = await startSandbox(dir);
    const sandbox = box;
    const env = { ...box.env, CANALE_WHATSAPP_TIMEOUT_MS: '1000' };
    await prepareRaccolta((...args) => cli(env, ...args), dir, 40);
    expect((await cli(env, 'config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
    await serve(box);
    await arm(box, 'slow', { to: phoneOf(7), ms: 3000 });
    await arm(box, 'reset', { to: phoneOf(23) });

    const sent = await cli(env, ...sendArgs);
    // 3 if the send ended before the server applied the two receipts, 0 if after
    expect([0, 3], sent.stderr).toContain(sent.code);
    const { campaign } = lastJson<Report>(sent.stdout);
    // one request each: neither was retried
    expect(deliveredTo(sandbox).get(phoneOf(7))).toBe(1);
    expect(deliveredTo(sandbox).get(phoneOf(23))).toBe(1);
    expect(box.graph.received).toHaveLength(40);
    const journal = await readFile(join(home, 'campaigns', campaign, 'journal.jsonl'), 'utf8');
    expect(journal.match(/"s":"unknown","code":"WHATSAPP_(TIMEOUT|UNREACHABLE)"/g)).toHaveLength(2);

    // the server hears every receipt (sent, delivered, read for each of the 40) and applies them
    await box.whenReceiptsPosted(120);
    await untilApplied((...args) => cli(env, ...args));
    const report = JSON.parse((await cli(env, 'report', campaign, '--format', 'json')).stdout) as Report & { settledByReceipts?: number };
    expect(report.counts).toMatchObject({ sent: 40, unknown: 0, failed: 0 });
    expect(report.settledByReceipts).toBe(2);
    expect((await readFile(join(home, 'campaigns', campaign, 'journal.jsonl'), 'utf8')).match(/"by":"receipt"/g)).toHaveLength(2);
  }, 60_000);

  it('after kill -9, receipts settle the request that was out; --resend-unknown waits the grace, then sends only the never-sent, once', async () => {
    box = await startSandbox(dir);
    const sandbox = box;
    const env = { ...box.env, CANALE_WHATSAPP_TIMEOUT_MS: '20000' };
    await prepareRaccolta((...args) => cli(env, ...args), dir, 30);
    expect((await cli(env, 'config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
    await serve(box);
    // the 11th request is accepted, its receipts posted, and its answer held back: the send is killed waiting for it
    await arm(box, 'slow', { to: phoneOf(10), ms: 60_000 });
    const send = startCli(['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '40', '--concurrency', '1', '--yes', '--json'], { home, cwd: dir, env });
    await Promise.race([box.whenAnswered(11), send.done]);
    await box.whenReceiptsPosted(33);
    send.child.kill('SIGKILL');
    expect((await send.done).signal).toBe('SIGKILL');
    await untilApplied((...args) => cli(env, ...args));
    const campaign = (JSON.parse((await cli(env, 'campaigns', 'list', '--json')).stdout) as Array<{ id: string }>)[0]?.id ?? '';

    // the two made ready behind it never left; receipts reach this campaign, so they wait for theirs
    const held = await cli(env, 'send', '--resume', campaign, '--resend-unknown', '--json');
    expect(held.code, held.stderr).toBe(3);
    expect(held.stderr).toMatch(/1 recipient\(s\) whose answer was lost were settled by their receipts/);
    expect(held.stderr).toMatch(/2 WhatsApp recipient\(s\) of unknown outcome wait until \d{4}-\d\d-\d\d \d\d:\d\d \(Europe\/Rome\) for their receipts \(send\.unknownGraceMinutes: 10\)/);
    expect(lastJson<Report>(held.stdout).counts).toMatchObject({ sent: 28, unknown: 2 });

    expect((await cli(env, 'config', 'set', 'send.unknownGraceMinutes', '0')).code).toBe(0);
    const done = await cli(env, 'send', '--resume', campaign, '--resend-unknown', '--json');
    expect(done.code, done.stderr).toBe(0);
    expect(lastJson<Report>(done.stdout).counts).toMatchObject({ sent: 30, unknown: 0 });
    expect(deliveredTo(sandbox).size).toBe(30);
    expect([...deliveredTo(sandbox).values()].every((n) => n === 1)).toBe(true);
  }, 60_000);
});

describe('131048: the number restricted for low quality', () => {
  it('pauses the send at its first answer, interrupted and resumable; the resume reaches the rest once', async () => {
    box = await startSandbox(dir);
    const env = box.env;
    await prepareRaccolta((...args) => cli(env, ...args), dir, 60);
    expect((await cli(env, 'config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
    await arm(box, 'error', { code: 131048 });

    const sent = await cli(env, ...sendArgs);
    expect(sent.code, sent.stderr).toBe(1);
    expect(sent.stderr).toMatch(/the number is restricted for low quality: check the quality rating in WhatsApp Manager/);
    const report = lastJson<Report>(sent.stdout);
    expect(report.status).toBe('interrupted');
    expect(report.counts).toMatchObject({ sent: 0, failed: 0 });
    // the requests in flight at the first answer, not 30 retries per recipient
    expect(box.graph.received.length).toBeLessThanOrEqual(20);

    await arm(box, 'error', undefined, 'DELETE');
    const resumed = await cli(env, 'send', '--resume', report.campaign, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJson<Report>(resumed.stdout).counts).toMatchObject({ sent: 60, failed: 0, unknown: 0 });
    expect([...deliveredTo(box).values()].every((n) => n === 1)).toBe(true);
  }, 60_000);
});
