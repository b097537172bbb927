import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postWebhook } from '../../src/adapters/sandbox/status-webhooks.js';
import { SANDBOX_ACCOUNT } from '../../src/commands/sandbox.js';
import { runCli, startCli, startWebhookServe, type CliResult } from '../support/cli.js';
import { lastJson, MESSAGE, prepareRaccolta, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';
import { untilApplied } from '../support/webhook-applied.js';

/**
 * Citizens' replies while a send runs (issue 15), through the built binary: `webhook serve` and a real `canale send`
 * in one home, the sandbox's Graph stand-in posting signed receipts and citizens' messages to the server. A STOP
 * answered 200 stops that citizen's campaign message if it has not left; a user-id-only citizen's STOP, a number
 * change and a topic STOP between `kill -9` and `--resume` are honoured the same way.
 */

let dir = '';
let home = '';
let box: Sandbox | undefined;
let server: ReturnType<typeof startCli> | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-replies-e2e-'));
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

const fixture = (name: string): Promise<unknown> => readFile(fileURLToPath(new URL(`../fixtures/webhooks/${name}`, import.meta.url)), 'utf8').then((t) => JSON.parse(t) as unknown);
const cli = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env });
/** prepareRaccolta's citizen i, at position i of a send with --channel whatsapp (everyone has a phone). */
const phoneOf = (i: number) => `+393331${String(i).padStart(6, '0')}`;
const USER_ID = 'US.13491208655302741918'; // the citizen of bsuid-message-user-id-only.json

/** `webhook serve --port 0` in the home with the sandbox's environment; the stand-in then posts its webhooks to it. */
async function serve(sandbox: Sandbox): Promise<string> {
  const started = startWebhookServe({ home, cwd: dir, env: sandbox.env });
  server = started.server;
  const url = await started.url;
  sandbox.webhooksTo(`${url}/webhooks/whatsapp`);
  return url;
}

/** A citizen writes to the city through the sandbox (signed, to the server); resolves to the server's answer. */
async function write(sandbox: Sandbox, body: Record<string, string>): Promise<string> {
  const response = await request(`${sandbox.env.CANALE_WHATSAPP_API_URL}/sandbox/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return ((await response.body.json()) as { webhook: string }).webhook;
}

/** Accepted messages of one kind (the campaign's template, or the server's free-text confirmations), with when each was answered. */
function accepted(sandbox: Sandbox, type: 'template' | 'text'): Array<{ to: string; at: number; body: string }> {
  return sandbox.graph.received.flatMap((m, k) => {
    const req = m.request as { type?: string; text?: { body?: string } };
    return 'wamid' in m.outcome && req.type === type ? [{ to: m.to, at: sandbox.answeredAt.whatsapp[k] ?? 0, body: req.text?.body ?? '' }] : [];
  });
}

async function skipLines(env: Record<string, string>): Promise<string[]> {
  const csv = (await cli(env, 'report', '--last', '--format', 'csv')).stdout;
  return csv.split('\n').filter((line) => line.includes(',skipped,'));
}

async function idOf(env: Record<string, string>, ref: string): Promise<string> {
  const shown = await cli(env, 'subscribers', 'show', ref, '--json');
  expect(shown.code, shown.stderr).toBe(0);
  return (JSON.parse(shown.stdout) as { id: string }).id;
}

interface Shown {
  status: string;
  topics: string[];
  optedOutTopics?: string[];
  phone: string | null;
  history: Array<{ action: string; source: string; previous?: string }>;
}
const show = async (env: Record<string, string>, ref: string): Promise<Shown> => JSON.parse((await cli(env, 'subscribers', 'show', ref, '--json')).stdout) as Shown;

async function prepare(sandbox: Sandbox, n: number): Promise<void> {
  await prepareRaccolta((...args) => cli(sandbox.env, ...args), dir, n);
  expect((await cli(sandbox.env, 'config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
}

const sendArgs = (rate: number) => ['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', String(rate), '--concurrency', '1', '--yes', '--json'];

/** Positions later in a 60-citizen queue (at 10/s, 3 s or more away when they write) and each wording of issue 15 item 5. */
const STOPS: Array<{ at: number; text: string; topicOnly: boolean }> = [
  { at: 30, text: 'STOP', topicOnly: false },
  { at: 33, text: 'Stop, grazie', topicOnly: false },
  { at: 36, text: 'stop promotions', topicOnly: false },
  { at: 39, text: 'basta così', topicOnly: false },
  { at: 42, text: 'STOP!!!', topicOnly: false },
  { at: 45, text: 'non voglio più messaggi', topicOnly: false },
  { at: 48, text: 'STOP raccolta-differenziata', topicOnly: true },
  { at: 51, text: 'STOP Raccolta differenziata', topicOnly: true },
];

describe('citizens reply while a send runs, through webhook serve', () => {
  it('STOPs from citizens later in the queue, in every wording: none gets the campaign message after the 200, everyone else exactly one', async () => {
    box = await startSandbox(dir);
    await prepare(box, 60);
    await serve(box);
    const send = startCli(sendArgs(10), { home, cwd: dir, env: box.env });
    await Promise.race([box.whenAnswered(3), send.done]);
    // the moment each STOP was posted: its 200 came later, so nothing accepted after it is nothing after the 200
    const postedAt = new Map<string, number>();
    const answers = await Promise.all(
      STOPS.map(({ at, text }) => {
        postedAt.set(phoneOf(at), performance.now());
        return write(box as Sandbox, { from: phoneOf(at), text });
      }),
    );
    expect(answers).toEqual(STOPS.map(() => 'HTTP 200'));
    const sent = await send.done;
    expect(sent.code, sent.stderr).toBe(0);

    const templates = accepted(box, 'template');
    const stopped = new Set(STOPS.map((s) => phoneOf(s.at)));
    expect(templates.filter((m) => stopped.has(m.to) && m.at >= (postedAt.get(m.to) ?? 0))).toEqual([]);
    expect(templates.filter((m) => stopped.has(m.to))).toEqual([]);
    const others = Array.from({ length: 60 }, (_, i) => phoneOf(i)).filter((p) => !stopped.has(p));
    expect(templates.map((m) => m.to).sort()).toEqual(others.sort());
    expect(lastJson<Report>(sent.stdout).counts).toMatchObject({ targeted: 60, sent: 60 - STOPS.length, skipped: STOPS.length, failed: 0 });

    const skipped = await skipLines(box.env);
    const ids = await Promise.all(STOPS.map((s) => idOf(box?.env ?? {}, phoneOf(s.at))));
    expect(skipped.map((line) => line.split(',')[0]).sort()).toEqual([...ids].sort());
    for (const line of skipped) expect(line).toContain(',skipped,opted-out-during-send,');
    for (const { at, topicOnly } of STOPS) {
      const s = await show(box.env, phoneOf(at));
      if (topicOnly) expect([s.status, s.topics, s.optedOutTopics], phoneOf(at)).toEqual(['active', [], ['raccolta-differenziata']]);
      else expect(s.status, phoneOf(at)).toBe('unsubscribed');
    }
    // each was told so, once: 52 campaign messages and 8 confirmations in all
    await box.whenAnswered(60);
    await untilApplied((...args) => cli(box?.env ?? {}, ...args));
    const confirmations = accepted(box, 'text');
    expect(confirmations.map((m) => m.to).sort()).toEqual([...stopped].sort());
    for (const { at, topicOnly } of STOPS) {
      expect(confirmations.find((m) => m.to === phoneOf(at))?.body).toContain(topicOnly ? 'non riceverai più messaggi su "Raccolta differenziata"' : 'non riceverai più messaggi.');
    }
  }, 60_000);

  it('a citizen known only by WhatsApp user id sends STOP (empty from, from_user_id): unsubscribed, and the running send skips them', async () => {
    box = await startSandbox(dir);
    const rows = ['nome;telefono;whatsapp_user_id;canale;argomenti;municipio', ...Array.from({ length: 30 }, (_, i) => `Cittadino ${i};${phoneOf(i)};;whatsapp;raccolta-differenziata;1`)];
    rows.push(`Maria Username;;${USER_ID};whatsapp;raccolta-differenziata;3`);
    await writeFile(join(dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
    await writeFile(join(dir, 'carta.md'), MESSAGE);
    for (const setup of [['subscribers', 'import', 'iscritti.csv', '--yes'], ['templates', 'sync'], ['config', 'set', 'quietHours.whatsapp', 'off']]) {
      const done = await cli(box.env, ...setup);
      expect(done.code, done.stderr).toBe(0);
    }
    const url = await serve(box);
    const send = startCli(sendArgs(10), { home, cwd: dir, env: box.env });
    await Promise.race([box.whenAnswered(3), send.done]);
    // Meta's 2026 shape, as the fixture has it: from and wa_id empty, only from_user_id and contacts[].user_id
    const postedAt = performance.now();
    expect(await postWebhook(`${url}/webhooks/whatsapp`, await fixture('bsuid-message-user-id-only.json'), SANDBOX_ACCOUNT.appSecret)).toBe('HTTP 200');
    const sent = await send.done;
    expect(sent.code, sent.stderr).toBe(0);
    expect(lastJson<Report>(sent.stdout).counts).toMatchObject({ targeted: 31, sent: 30, skipped: 1 });
    // a message by user id is addressed by recipient, which the sandbox lists as its `to`
    const templates = accepted(box, 'template');
    expect(templates.filter((m) => m.to === USER_ID)).toEqual([]);
    expect(templates.filter((m) => m.at >= postedAt).length).toBeGreaterThan(0);
    const skipped = await skipLines(box.env);
    expect(skipped.map((line) => line.split(',')[0])).toEqual([await idOf(box.env, USER_ID)]);
    expect(skipped[0]).toContain(',skipped,opted-out-during-send,');
    await untilApplied((...args) => cli(box?.env ?? {}, ...args));
    const maria = await show(box.env, USER_ID);
    expect(maria.status).toBe('unsubscribed');
    expect(maria.history.at(-1)?.source).toBe('whatsapp:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgD=');
  }, 60_000);

  it('user_changed_number moves the subscriber to the new number, with its history; nothing goes to the old number', async () => {
    box = await startSandbox(dir);
    const rows = ['nome;telefono;canale;argomenti;municipio', 'Sheena Nelson;+1 650 555 1234;whatsapp;raccolta-differenziata;2', `Cittadino 0;${phoneOf(0)};whatsapp;raccolta-differenziata;1`];
    await writeFile(join(dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
    await writeFile(join(dir, 'carta.md'), MESSAGE);
    for (const setup of [['subscribers', 'import', 'iscritti.csv', '--yes'], ['templates', 'sync'], ['config', 'set', 'quietHours.whatsapp', 'off']]) {
      const done = await cli(box.env, ...setup);
      expect(done.code, done.stderr).toBe(0);
    }
    const url = await serve(box);
    const payload = await fixture('system-user-changed-number.json'); // from 16505551234 to 12195555358
    expect(await postWebhook(`${url}/webhooks/whatsapp`, payload, SANDBOX_ACCOUNT.appSecret)).toBe('HTTP 200');
    await untilApplied((...args) => cli(box?.env ?? {}, ...args), 1);
    // a later message that is confirmed: once its confirmation is in, any reply to the number change would be too
    expect(await write(box, { from: phoneOf(0), text: 'STOP' })).toBe('HTTP 200');
    await box.whenAnswered(1);
    expect(box.graph.received.map((m) => m.to)).toEqual([phoneOf(0)]);

    const moved = await show(box.env, '+12195555358');
    expect(moved.phone).toBe('+12195555358');
    expect(moved.status).toBe('active');
    expect(moved.history).toEqual([expect.objectContaining({ previous: '+16505551234', source: 'whatsapp:wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==' })]);
    const text = await cli(box.env, 'subscribers', 'show', '+12195555358');
    expect(text.stdout).toMatch(/history: .*\(was \+16505551234\)/);
    expect((await cli(box.env, 'subscribers', 'show', '+16505551234')).code).not.toBe(0);
    // the next send reaches the new number only
    const sent = await cli(box.env, ...sendArgs(10));
    expect(sent.code, sent.stderr).toBe(0);
    expect(accepted(box, 'template').map((m) => m.to)).toEqual(['+12195555358']);
    expect(box.graph.received.filter((m) => m.to.replace(/\D/g, '') === '16505551234')).toEqual([]);
  }, 60_000);

  it('a topic STOP through webhook serve between kill -9 and --resume: the resume does not send to them', async () => {
    box = await startSandbox(dir);
    await prepare(box, 60);
    await serve(box);
    const send = startCli(sendArgs(20), { home, cwd: dir, env: box.env });
    await Promise.race([box.whenAnswered(5), send.done]);
    send.child.kill('SIGKILL');
    expect((await send.done).signal).toBe('SIGKILL');
    const list = JSON.parse((await cli(box.env, 'campaigns', 'list', '--json')).stdout) as Array<{ id: string }>;
    expect(await write(box, { from: phoneOf(50), text: 'STOP raccolta differenziata' })).toBe('HTTP 200');
    await untilApplied((...args) => cli(box?.env ?? {}, ...args));
    // receipts reach this campaign, so its unknown would wait 10 minutes for theirs: this test sends to them at once
    expect((await cli(box.env, 'config', 'set', 'send.unknownGraceMinutes', '0')).code).toBe(0);
    const resumed = await cli(box.env, 'send', '--resume', list[0]?.id ?? '', '--resend-unknown', '--json');
    expect([0, 3], resumed.stderr).toContain(resumed.code);
    const templates = accepted(box, 'template').map((m) => m.to);
    expect(templates).not.toContain(phoneOf(50));
    expect(new Set(templates)).toEqual(new Set(Array.from({ length: 60 }, (_, i) => phoneOf(i)).filter((p) => p !== phoneOf(50))));
    const skipped = await skipLines(box.env);
    expect(skipped.map((line) => line.split(',')[0])).toEqual([await idOf(box.env, phoneOf(50))]);
    expect(skipped[0]).toContain(',skipped,opted-out-of-topic,');
    expect((await show(box.env, phoneOf(50))).optedOutTopics).toEqual(['raccolta-differenziata']);
  }, 60_000);
});
