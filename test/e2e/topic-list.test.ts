import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphStandIn, type GraphStandInOptions, type ReceivedMessage } from '../../src/adapters/sandbox/graph-stand-in.js';
import { SANDBOX_ACCOUNT, whatsAppSandboxEnv } from '../../src/commands/sandbox.js';
import { runCli, startWebhookServe, type startCli, type CliResult } from '../support/cli.js';
import { FakeClock } from '../support/fake-deps.js';
import { untilApplied } from '../support/webhook-applied.js';

/**
 * Topic choice as a list to tap (issue 19), through the built binary: `webhook serve` answering the sandbox's
 * signed inbound webhooks, the sandbox checking each answer as Meta would (limits, the 24-hour window).
 */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

let dir = '';
let home = '';
let graph: GraphStandIn | undefined;
let server: ReturnType<typeof startCli> | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-topic-list-e2e-'));
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

const STRANGER = '+393339876543';
/** Eight topics beside the seven a new home has: fifteen, two pages of the list. */
const MORE = ['verde', 'tributi', 'cultura', 'sport', 'turismo', 'lavoro', 'casa', 'salute'];

interface Interactive {
  type: string;
  body: { text: string };
  action: { button?: string; sections?: Array<{ rows: Array<{ id: string; title: string; description?: string }> }>; buttons?: Array<{ reply: { id: string; title: string } }> };
}

const cli = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env });

async function start(): Promise<{ env: Record<string, string>; graphUrl: string; whenAnswered: (n: number) => Promise<ReceivedMessage[]> }> {
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const options: Mutable<GraphStandInOptions> = {
    port: 0,
    ...SANDBOX_ACCOUNT,
    clock: new FakeClock(),
    onReceived: () => {
      for (const w of waiting.filter((x) => (graph?.received.length ?? 0) >= x.n)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    },
  };
  graph = new GraphStandIn(options);
  const graphUrl = await graph.listen();
  const env = { ...whatsAppSandboxEnv(graphUrl), CANALE_WHATSAPP_VERIFY_TOKEN: 'verifica-sandbox' };
  expect((await cli(env, 'init')).code).toBe(0);
  for (const id of MORE) expect((await cli(env, 'topics', 'add', id, '--label', id[0]?.toUpperCase() + id.slice(1), '--description', `Avvisi su ${id}`)).code).toBe(0);
  expect((await cli(env, 'config', 'set', 'privacy.noticeVersion', '2026-03')).code).toBe(0);
  expect((await cli(env, 'config', 'set', 'price.whatsapp.service', '0.01')).code).toBe(0);
  const serving = startWebhookServe({ home, cwd: dir, env });
  server = serving.server;
  const serverUrl = await serving.url;
  options.webhookUrl = `${serverUrl}/webhooks/whatsapp`;
  const whenAnswered = async (n: number) => {
    if ((graph?.received.length ?? 0) < n) await new Promise<void>((resolve) => waiting.push({ n, resolve }));
    return graph?.received ?? [];
  };
  return { env, graphUrl, whenAnswered };
}

async function inbound(graphUrl: string, body: Record<string, unknown>): Promise<string> {
  const response = await request(`${graphUrl}/sandbox/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.body.json()) as { id: string; webhook: string };
  expect(answer.webhook).toBe('HTTP 200');
  return answer.id;
}

const interactiveOf = (m: ReceivedMessage | undefined): Interactive => {
  expect(m?.outcome).toHaveProperty('wamid');
  return (m?.request as { interactive: Interactive }).interactive;
};
const rowIds = (i: Interactive) => (i.action.sections ?? []).flatMap((s) => s.rows.map((r) => r.id));

describe('the topic list on WhatsApp, end to end with the sandbox', () => {
  it("a stranger's first words get the list (two pages for 15 topics) and subscribe nobody; taps join, leave, and Annulla tutto stops", async () => {
    const { env, graphUrl, whenAnswered } = await start();
    const show = async () => JSON.parse((await cli(env, 'subscribers', 'show', STRANGER, '--json')).stdout) as { status: string; topics: string[]; consent: { source: string; notice?: string }; history?: Array<{ action: string; topic?: string }> };

    await inbound(graphUrl, { from: STRANGER, text: 'Buongiorno, come funziona?' });
    const first = interactiveOf((await whenAnswered(1))[0]);
    expect(first.type).toBe('list');
    expect(first.body.text).toMatch(/iscriverti.*versione 2026-03/);
    expect(rowIds(first)).toHaveLength(10);
    expect(rowIds(first).at(-1)).toBe('page:2');
    await untilApplied((...args) => cli(env, ...args), 1);
    expect((await cli(env, 'subscribers', 'count', '--json')).stdout).toMatch(/"count":\s*0/);

    await inbound(graphUrl, { from: STRANGER, listReply: { id: 'page:2', title: 'Altri argomenti', description: 'Pagina 2 di 2' } });
    const second = interactiveOf((await whenAnswered(2))[1]);
    expect(rowIds(second)).toEqual(['topic:cultura', 'topic:sport', 'topic:turismo', 'topic:lavoro', 'topic:casa', 'topic:salute']);

    const tap = await inbound(graphUrl, { from: STRANGER, listReply: { id: 'topic:cantieri', title: 'Cantieri', description: 'Lavori stradali, chiusure e deviazioni' } });
    const joined = interactiveOf((await whenAnswered(3))[2]);
    expect(joined).toMatchObject({ type: 'button', body: { text: expect.stringContaining('Ora segui: Cantieri') } });
    expect(joined.action.buttons?.map((b) => b.reply.id)).toEqual(['page:1', 'stop']);
    expect(await show()).toMatchObject({ status: 'active', topics: ['cantieri'], consent: { source: `whatsapp:${tap}`, notice: '2026-03' } });
    expect((await cli(env, 'subscribers', 'show', STRANGER)).stdout).toMatch(/consent: +whatsapp:\S+ at .* — tapped cantieri in the WhatsApp topic list \(privacy notice 2026-03\)/);

    // the list now marks what they follow
    await inbound(graphUrl, { from: STRANGER, text: 'ARGOMENTI' });
    const marked = interactiveOf((await whenAnswered(4))[3]);
    expect(marked.action.sections?.[0]?.rows).toContainEqual(expect.objectContaining({ id: 'topic:cantieri', title: '✓ Cantieri' }));

    await inbound(graphUrl, { from: STRANGER, listReply: { id: 'topic:cantieri', title: '✓ Cantieri', description: 'Lavori stradali, chiusure e deviazioni' } });
    expect(interactiveOf((await whenAnswered(5))[4]).body.text).toMatch(/non riceverai più i messaggi su "Cantieri".*non segui nessun argomento/);
    expect(await show()).toMatchObject({ status: 'active', topics: [], history: [{ action: 'topic-left', topic: 'cantieri' }] });

    await inbound(graphUrl, { from: STRANGER, listReply: { id: 'topic:scuola', title: 'Scuola', description: 'Scuole, mense, iscrizioni e calendario scolastico' } });
    await whenAnswered(6);
    await inbound(graphUrl, { from: STRANGER, buttonReply: { id: 'stop', title: 'Annulla tutto' } });
    const stopped = (await whenAnswered(7))[6];
    expect(stopped?.request).toMatchObject({ type: 'text', text: { body: expect.stringMatching(/^Fatto: non riceverai più messaggi/) } });
    expect(await show()).toMatchObject({ status: 'unsubscribed', topics: ['scuola'] });
    // every answer went inside the window the citizen's messages opened, and passed the sandbox's checks
    expect(graph?.received.every((m) => 'wamid' in m.outcome)).toBe(true);
    // reply traffic: the seven answers, priced at price.whatsapp.service
    await untilApplied((...args) => cli(env, ...args), 7);
    const status = JSON.parse((await cli(env, 'webhook', 'status', '--json')).stdout) as { replies: { last30Days: number; cost: { last30Days: number } } };
    expect(status.replies).toMatchObject({ last30Days: 7, cost: { last30Days: 0.07 } });
  });
});
