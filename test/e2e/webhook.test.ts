import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphStandIn, type GraphStandInOptions } from '../../src/adapters/sandbox/graph-stand-in.js';
import { postWebhook, statusPayload } from '../../src/adapters/sandbox/status-webhooks.js';
import { SANDBOX_ACCOUNT, whatsAppSandboxEnv } from '../../src/commands/sandbox.js';
import { runCli, startCli, type CliResult } from '../support/cli.js';
import { FakeClock } from '../support/fake-deps.js';
import { untilApplied } from '../support/webhook-applied.js';

/**
 * `canale webhook serve` through the built binary, with the sandbox's Graph stand-in in this process posting signed
 * status and inbound webhooks to it while a real `canale send` runs against the same home.
 */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

let dir = '';
let home = '';
let graph: GraphStandIn | undefined;
let server: ReturnType<typeof startCli> | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-webhook-e2e-'));
  home = join(dir, 'home');
});

afterEach(async () => {
  server?.child.kill('SIGKILL');
  await server?.done;
  server = undefined;
  await graph?.close();
  graph = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** The sandbox's named template `raccolta_rifiuti`, sent on WhatsApp only. */
const MESSAGE = fileURLToPath(new URL('../../fixtures/messages/raccolta-differenziata.md', import.meta.url));

const phone = (i: number) => `+39333${String(1_000_000 + i)}`;

interface Harness {
  readonly env: Record<string, string>;
  readonly graphUrl: string;
  readonly serverUrl: string;
  readonly webhooks: string[];
  /** Resolves once the stand-in has had this many webhook answers. */
  readonly whenPosted: (n: number) => Promise<void>;
  /** Resolves once the stand-in has answered this many message requests. */
  readonly whenReceived: (n: number) => Promise<void>;
}

function counter(): { count: () => void; when: (n: number) => Promise<void>; value: () => number } {
  let value = 0;
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  return {
    value: () => value,
    count: () => {
      value++;
      for (const w of waiting.filter((x) => value >= x.n)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    },
    when: (n) => (value >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }))),
  };
}

/** The stand-in, then `webhook serve --port 0` pointed at it (its first stdout line is the address), then the stand-in pointed back. */
async function startBoth(n: number, options: { notOnWhatsApp?: string[] } = {}): Promise<Harness> {
  const posted = counter();
  const received = counter();
  const webhooks: string[] = [];
  const graphOptions: Mutable<GraphStandInOptions> = {
    port: 0,
    ...SANDBOX_ACCOUNT,
    clock: new FakeClock(),
    notOnWhatsApp: options.notOnWhatsApp ?? [],
    onReceived: received.count,
    onWebhook: (_update, outcome) => {
      webhooks.push(outcome);
      posted.count();
    },
  };
  graph = new GraphStandIn(graphOptions);
  const graphUrl = await graph.listen();
  const env = { ...whatsAppSandboxEnv(graphUrl), CANALE_WHATSAPP_VERIFY_TOKEN: 'verifica-sandbox' };
  const rows = ['nome;telefono;canale;argomenti;municipio'];
  for (let i = 0; i < n; i++) rows.push(`Cittadino ${i};${phone(i)};whatsapp;raccolta-differenziata;${(i % 15) + 1}`);
  await writeFile(join(dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
  expect((await cli(env, 'subscribers', 'import', 'iscritti.csv', '--yes')).code).toBe(0);
  expect((await cli(env, 'templates', 'sync')).code).toBe(0);
  // the sends here run at whatever time the suite does: outside any quiet hours
  expect((await cli(env, 'config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
  expect((await cli(env, 'config', 'set', 'whatsapp.unreachableAfter', '1')).code).toBe(0);

  server = startCli(['webhook', 'serve', '--port', '0'], { home, cwd: dir, env });
  const serverUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    server?.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void server?.done.then((r) => reject(new Error(`webhook serve exited early: ${r.stderr}`)));
  });
  graphOptions.webhookUrl = `${serverUrl}/webhooks/whatsapp`;
  return { env, graphUrl, serverUrl, webhooks, whenPosted: posted.when, whenReceived: received.when };
}

const cli = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env });

function lastJson<T>(stdout: string): T {
  const start = stdout.lastIndexOf('\n{');
  return JSON.parse(start < 0 ? stdout : stdout.slice(start + 1)) as T;
}

interface Report {
  campaign: string;
  counts: Record<'targeted' | 'sent' | 'delivered' | 'read' | 'failed' | 'unknown' | 'skipped', number>;
  failures: Array<{ code: string; count: number }>;
  skipped: Array<{ reason: string; count: number }>;
}

const inbound = async (h: Harness, body: Record<string, string>) => {
  const response = await request(`${h.graphUrl}/sandbox/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await response.body.json()) as { id: string; webhook: string };
};

describe('canale webhook serve, end to end with the sandbox', () => {
  it('records the receipts the sandbox posts during a real send, beside citizens joining meanwhile; report shows delivered and read', async () => {
    const n = 300;
    const h = await startBoth(n, { notOnWhatsApp: [phone(7).slice(1)] });
    const sending = cli(h.env, 'send', '--message', MESSAGE, '--channel', 'whatsapp', '--rate', '150', '--yes', '--json');
    // while the send runs, citizens write in: the store and the journal are written by both processes
    await Promise.race([h.whenReceived(50), sending]);
    const joined = await Promise.all(Array.from({ length: 10 }, (_, i) => inbound(h, { from: phone(5000 + i), text: 'ISCRIVI raccolta differenziata', name: `Nuovo ${i}` })));
    expect(joined.map((j) => j.webhook)).toEqual(Array(10).fill('HTTP 200'));
    const sent = await sending;
    expect(sent.code, sent.stderr).toBe(3);
    // every accepted message gets sent, delivered and read; the one not on WhatsApp a single failed
    await h.whenPosted((n - 1) * 3 + 1);
    expect(h.webhooks.every((w) => w === 'HTTP 200')).toBe(true);
    // answered 200 once logged: applied by the server right after
    const backlog = await untilApplied((...args) => cli(h.env, ...args));
    expect(backlog).toMatchObject({ waiting: 0, received: backlog.applied });

    const report = JSON.parse((await cli(h.env, 'report', '--last', '--json')).stdout) as Report;
    expect(report.counts).toMatchObject({ targeted: n, sent: n - 1, delivered: n - 1, read: n - 1, failed: 1, unknown: 0 });
    expect(report.failures).toEqual([expect.objectContaining({ code: 'WHATSAPP_UNDELIVERABLE', count: 1 })]);

    const unreachable = JSON.parse((await cli(h.env, 'subscribers', 'show', phone(7), '--json')).stdout) as { whatsappUnreachable?: boolean };
    expect(unreachable.whatsappUnreachable).toBe(true);
    const count = JSON.parse((await cli(h.env, 'subscribers', 'count', '--topic', 'raccolta-differenziata', '--json')).stdout) as { count: number };
    expect(count.count).toBe(n + 10);

    // Meta redelivers: the same receipt again changes nothing
    const journal = join(home, 'campaigns', report.campaign, 'journal.jsonl');
    const before = (await readFile(journal, 'utf8')).split('\n').length;
    const wamid = /"s":"sent","id":"([^"]+)"/.exec(await readFile(journal, 'utf8'))?.[1] ?? '';
    const ids = { wabaId: SANDBOX_ACCOUNT.wabaId, phoneNumberId: SANDBOX_ACCOUNT.phoneNumberId, displayNumber: '390000000000' };
    const again = statusPayload({ wamid, status: 'delivered', recipient: '393330000000', at: new Date(), callbackData: report.campaign }, ids);
    expect(await postWebhook(`${h.serverUrl}/webhooks/whatsapp`, again, SANDBOX_ACCOUNT.appSecret)).toBe('HTTP 200');
    expect(await postWebhook(`${h.serverUrl}/webhooks/whatsapp`, again, 'not-the-secret')).toBe('HTTP 401');
    await untilApplied((...args) => cli(h.env, ...args), backlog.received + 1);
    expect((await readFile(journal, 'utf8')).split('\n').length).toBe(before);
    for (const line of (await readFile(journal, 'utf8')).trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();

    // SIGTERM stops it cleanly; its log has one line per request and no phone number
    server?.child.kill('SIGTERM');
    const stopped = await server?.done;
    server = undefined;
    expect(stopped?.code).toBe(0);
    expect(stopped?.stderr).toContain('webhook server stopped');
    expect(stopped?.stderr).not.toMatch(/3331000|Nuovo/);
  });

  it('a STOP through the sandbox opts the citizen out, STOP with a topic leaves it, each gets a confirmation, and the next send skips them', async () => {
    const h = await startBoth(6);
    expect((await inbound(h, { from: phone(0), text: 'Stop' })).webhook).toBe('HTTP 200');
    expect((await inbound(h, { from: phone(1), button: 'STOP Raccolta differenziata' })).webhook).toBe('HTTP 200');
    expect((await inbound(h, { from: phone(2), text: 'che ore sono?' })).webhook).toBe('HTTP 200');
    expect((await inbound(h, { from: phone(2), text: 'e allora?' })).webhook).toBe('HTTP 200');
    // three confirmations as free text (the help text once a day only), allowed because they just wrote
    await h.whenReceived(3);
    await untilApplied((...args) => cli(h.env, ...args), 4);
    const replies = graph?.received.filter((m) => 'wamid' in m.outcome) ?? [];
    expect(replies.map((m) => m.to).sort()).toEqual([phone(0), phone(1), phone(2)]);

    const zero = JSON.parse((await cli(h.env, 'subscribers', 'show', phone(0), '--json')).stdout) as { status: string; history: Array<{ source: string }> };
    expect(zero.status).toBe('unsubscribed');
    expect(zero.history[0]?.source).toMatch(/^whatsapp:wamid\./);

    const sent = await cli(h.env, 'send', '--message', MESSAGE, '--channel', 'whatsapp', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    expect(lastJson<Report>(sent.stdout).counts).toMatchObject({ sent: 4 });
    const templates = (graph?.received ?? []).filter((m) => (m.request as { type?: string }).type === 'template').map((m) => m.to);
    expect(templates).toHaveLength(4);
    expect(templates).not.toContain(phone(0));
    expect(templates).not.toContain(phone(1));
    // the report shows the webhook server's answers to citizens beside the campaign: reply traffic, priced
    expect((await cli(h.env, 'report', '--last')).stdout).toMatch(/replies \(webhook serve, all citizens\): \d answer\(s\) to citizens today, 3 in the last 30 days \(est\. 0\.00 EUR/);
    expect(lastJson<{ replyTraffic: unknown }>((await cli(h.env, 'report', '--last', '--json')).stdout).replyTraffic).toMatchObject({ last30Days: 3, cost: { currency: 'EUR', last30Days: 0 } });
  });
});
