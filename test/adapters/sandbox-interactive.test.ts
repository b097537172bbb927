import { afterEach, describe, expect, it } from 'vitest';
import { GraphStandIn } from '../../src/adapters/sandbox/graph-stand-in.js';
import { checkMessage } from '../../src/adapters/sandbox/graph-checks.js';
import { graphMessageBody } from '../../src/adapters/transports/cloud-api/graph-message.js';
import { CloudApiTransport } from '../../src/adapters/transports/cloud-api/cloud-api-transport.js';
import type { E164 } from '../../src/core/phone.js';
import { toggleAnswer, topicMenu } from '../../src/core/replies/topic-menu.js';
import type { TopicId } from '../../src/core/topic.js';
import type { ReplyContent, WhatsAppEnvelope } from '../../src/core/transport.js';
import { FakeClock } from '../support/fake-deps.js';

const ACCOUNT = { token: 'sandbox-token', phoneNumberId: '111', wabaId: '222', appSecret: 'shh-app-secret' };
const signal = new AbortController().signal;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const to = '+393331234567' as E164;
const fifteen = Array.from({ length: 15 }, (_, i) => ({ id: `t${i + 1}` as TopicId, label: `Argomento ${i + 1}`, description: `Tutto su ${i + 1}` }));
const envelopeOf = (content: ReplyContent): WhatsAppEnvelope => ({ channel: 'whatsapp', to, recipientKey: 'citizen', content });
const rules = { templates: [], openWindow: new Set(['393331234567']) };

async function sandbox(openWindow: string[], clock = new FakeClock()) {
  const graph = new GraphStandIn({ port: 0, ...ACCOUNT, clock, openWindow });
  const url = await graph.listen();
  cleanups.push(() => graph.close());
  const transport = new CloudApiTransport({ apiUrl: url, apiVersion: 'v23.0', token: ACCOUNT.token, phoneNumberId: ACCOUNT.phoneNumberId, timeoutMs: 5_000, connections: 1 });
  cleanups.push(() => transport.close());
  return { graph, transport, url };
}

const REMOVE = Symbol('remove');

/** A copy of the body with the value at `pointer` under `interactive` (`/action/button`) set, or removed. */
function changed(body: Record<string, unknown>, pointer: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = ['interactive', ...pointer.split('/').slice(1)];
  const last = keys.pop() as string;
  const parent = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy);
  if (value === REMOVE) delete parent[last];
  else parent[last] = value;
  return copy;
}

/** The first page of the topic list as canale builds it (rows topic:t1…topic:t9, page:2), with one value changed. */
const listBody = (pointer: string, value: unknown) => changed(graphMessageBody(envelopeOf(topicMenu(fifteen, []))), pointer, value);
/** The answer to a tap as canale builds it (buttons page:1 and stop), with one value changed. */
const buttonsBody = (pointer: string, value: unknown) => changed(graphMessageBody(envelopeOf(toggleAnswer(fifteen, ['t1' as TopicId], 'Fatto.'))), pointer, value);

const row = (i: number) => ({ id: `r${i}`, title: `Riga ${i}` });

describe('the sandbox checks interactive messages like the Cloud API', () => {
  it('takes the topic list (both pages of 15 topics) and the reply buttons inside the 24-hour window', async () => {
    const { graph, transport } = await sandbox(['393331234567']);
    for (const content of [topicMenu(fifteen, []), topicMenu(fifteen, [], 2), toggleAnswer(fifteen, ['t1' as TopicId], 'Fatto.')]) {
      expect(await transport.send(envelopeOf(content), signal)).toMatchObject({ ok: true });
    }
    expect(graph.received.map((m) => (m.request as { interactive: { type: string } }).interactive.type)).toEqual(['list', 'list', 'button']);
  });

  it.each<[string, ReplyContent]>([
    ['a list', topicMenu(fifteen, [])],
    ['reply buttons', toggleAnswer(fifteen, [], 'Fatto.')],
  ])('refuses %s outside the window with 131047, as free text', async (_label, content) => {
    const { transport } = await sandbox([]);
    expect(await transport.send(envelopeOf(content), signal)).toMatchObject({ ok: false, failure: { code: 'WHATSAPP_OUTSIDE_WINDOW', providerCode: '131047' } });
  });

  it("closes the window 24 hours after the citizen's last message, and a new message opens it again", async () => {
    const clock = new FakeClock();
    const { transport, url } = await sandbox(['393331234567'], clock);
    const list = envelopeOf(topicMenu(fifteen, []));
    clock.advance(24 * 60 * 60 * 1000 - 1);
    expect(await transport.send(list, signal)).toMatchObject({ ok: true });
    clock.advance(1);
    expect(await transport.send(list, signal)).toMatchObject({ ok: false, failure: { providerCode: '131047' } });
    await fetch(`${url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: '+393331234567', text: 'ARGOMENTI' }) });
    expect(await transport.send(list, signal)).toMatchObject({ ok: true });
  });

  it.each<[string, unknown, number]>([
    ['a body over 1024 characters', listBody('/body/text', 'x'.repeat(1025)), 131009],
    ['no body', listBody('/body', REMOVE), 131008],
    ['a list button over 20 characters', listBody('/action/button', 'x'.repeat(21)), 131009],
    ['no list button', listBody('/action/button', REMOVE), 131008],
    ['11 rows in one section', listBody('/action/sections', [{ title: 'A', rows: Array.from({ length: 11 }, (_, k) => row(k)) }]), 131009],
    ['11 rows over two sections', listBody('/action/sections', [{ title: 'A', rows: Array.from({ length: 6 }, (_, k) => row(k)) }, { title: 'B', rows: Array.from({ length: 5 }, (_, k) => row(k + 6)) }]), 131009],
    ['11 sections', listBody('/action/sections', Array.from({ length: 11 }, (_, k) => ({ title: `S${k}`, rows: [row(k)] }))), 131009],
    ['two sections, one without its title', listBody('/action/sections', [{ title: 'A', rows: [row(1)] }, { rows: [row(2)] }]), 131008],
    ['a section title over 24 characters', listBody('/action/sections/0/title', 'x'.repeat(25)), 131009],
    ['a row title over 24 characters', listBody('/action/sections/0/rows/0/title', 'x'.repeat(25)), 131009],
    ['a row description over 72 characters', listBody('/action/sections/0/rows/0/description', 'x'.repeat(73)), 131009],
    ['a row id over 200 characters', listBody('/action/sections/0/rows/0/id', 'x'.repeat(201)), 131009],
    ['a row id twice', listBody('/action/sections/0/rows/1/id', 'topic:t1'), 131009],
    ['a row without its title', listBody('/action/sections/0/rows/0/title', REMOVE), 131008],
    ['a section without rows', listBody('/action/sections/0/rows', []), 131008],
    ['four reply buttons', buttonsBody('/action/buttons', [1, 2, 3, 4].map((k) => ({ type: 'reply', reply: { id: `b${k}`, title: `B${k}` } }))), 131009],
    ['a button title over 20 characters', buttonsBody('/action/buttons/0/reply/title', 'x'.repeat(21)), 131009],
    ['a button id over 256 characters', buttonsBody('/action/buttons/0/reply/id', 'x'.repeat(257)), 131009],
    ['a button id twice', buttonsBody('/action/buttons/1/reply/id', 'page:1'), 131009],
    ['a button of another type', buttonsBody('/action/buttons/0/type', 'url'), 131009],
    ['no buttons', buttonsBody('/action/buttons', []), 131008],
    ['an interactive type the sandbox does not play', listBody('/type', 'product'), 131051],
  ])('refuses %s with %i', (_label, body, code) => {
    expect(checkMessage(body, rules)).toMatchObject({ http: 400, code });
  });

  it('counts an emoji as two: never more lenient than Meta', () => {
    expect(checkMessage(listBody('/action/sections/0/rows/0/title', `${'x'.repeat(23)}😀`), rules)).toMatchObject({ code: 131009 });
  });
});
