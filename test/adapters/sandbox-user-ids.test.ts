import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/adapters/sandbox/graph-checks.js';
import { GraphStandIn, type GraphStandInOptions } from '../../src/adapters/sandbox/graph-stand-in.js';
import { SANDBOX_TEMPLATES } from '../../src/adapters/sandbox/sandbox-templates.js';
import { CloudApiTransport } from '../../src/adapters/transports/cloud-api/cloud-api-transport.js';
import type { E164 } from '../../src/core/phone.js';
import type { WhatsAppEnvelope } from '../../src/core/transport.js';
import type { WhatsAppUserId } from '../../src/core/whatsapp-identity.js';
import { FakeClock } from '../support/fake-deps.js';

// Business-scoped user ids (2026) as Meta's pages write them: a send to one puts it in `recipient`, the answer has an
// empty `wa_id` and the `user_id`; statuses carry `recipient_user_id` (test/fixtures/webhooks/bsuid-status.json).
const ACCOUNT = { token: 'sandbox-token', phoneNumberId: '111', wabaId: '222', appSecret: 'shh-app-secret' };
const signal = new AbortController().signal;
const userId = 'US.13491208655302741918' as WhatsAppUserId;
const phone = '+393331234567' as E164;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sandbox(options: Partial<GraphStandInOptions> = {}) {
  const graph = new GraphStandIn({ port: 0, ...ACCOUNT, clock: new FakeClock(), ...options });
  const url = await graph.listen();
  cleanups.push(() => graph.close());
  const transport = new CloudApiTransport({ apiUrl: url, apiVersion: 'v23.0', token: ACCOUNT.token, phoneNumberId: ACCOUNT.phoneNumberId, timeoutMs: 5_000, connections: 2 });
  cleanups.push(() => transport.close());
  return { graph, transport, url };
}

const avvisoTo = (to: WhatsAppEnvelope['to']): WhatsAppEnvelope => ({
  channel: 'whatsapp',
  to,
  campaignId: 'cmp_1',
  recipientKey: 'sub_1',
  content: { kind: 'template', name: 'avviso_cantieri', language: 'it', parameters: { format: 'positional', values: ['Maria', '2 dicembre', 'via Nazionale'] } },
});

type Value = { statuses?: Array<Record<string, unknown>>; messages?: Array<Record<string, unknown>>; contacts?: Array<Record<string, unknown>> };

/** The `value`s of the webhooks the sandbox posts, once `count` arrived. */
async function webhookReceiver(count: number): Promise<{ url: string; values: Promise<Value[]> }> {
  const values: Value[] = [];
  let done: (v: Value[]) => void = () => undefined;
  const all = new Promise<Value[]>((resolve) => (done = resolve));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { entry: Array<{ changes: Array<{ value: Value }> }> };
      values.push(body.entry[0]?.changes[0]?.value ?? {});
      res.end('ok');
      if (values.length === count) done(values);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp`, values: all };
}

describe('the Cloud API transport to a WhatsApp user id, against the sandbox', () => {
  it('sends it in `recipient`, with no `to`, and gets the user id back with an empty wa_id', async () => {
    const { graph, transport } = await sandbox();
    const result = await transport.send(avvisoTo(userId), signal);
    expect(result).toEqual({ ok: true, providerMessageId: expect.stringMatching(/^wamid\./), userId });
    expect(graph.received[0]).toMatchObject({ to: userId, request: { recipient: userId, recipient_type: 'individual' } });
    expect(graph.received[0]?.request).not.toHaveProperty('to');
  });

  it('takes a user id in `to` as Meta now does, and answers as for `recipient`', async () => {
    const { graph, url } = await sandbox();
    const body = { messaging_product: 'whatsapp', recipient_type: 'individual', to: userId, type: 'template', template: { name: 'chiusura_scuole', language: { code: 'it' }, components: [{ type: 'body', parameters: ['a', 'b', 'c'].map((text) => ({ type: 'text', text })) }] } };
    const answer = await fetch(`${url}/v23.0/${ACCOUNT.phoneNumberId}/messages`, { method: 'POST', headers: { authorization: `Bearer ${ACCOUNT.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ contacts: [{ input: userId, wa_id: '', user_id: userId }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect(graph.received[0]).toMatchObject({ to: userId, outcome: { wamid: expect.any(String) } });
  });

  it('sends a number in `to` as before, and returns the user id Meta knows for it', async () => {
    const { graph, transport } = await sandbox({ userIds: { '393331234567': userId } });
    expect(await transport.send(avvisoTo(phone), signal)).toEqual({ ok: true, providerMessageId: expect.any(String), waId: '393331234567', userId });
    expect(graph.received[0]?.request).not.toHaveProperty('recipient');
  });

  it('posts statuses with an empty recipient_id and the recipient_user_id', async () => {
    const receiver = await webhookReceiver(3);
    const { transport } = await sandbox({ webhookUrl: receiver.url });
    await transport.send(avvisoTo(userId), signal);
    const statuses = (await receiver.values).flatMap((v) => v.statuses ?? []);
    expect(statuses.map((s) => [s.status, s.recipient_id, s.recipient_user_id])).toEqual([
      ['sent', '', userId],
      ['delivered', '', userId],
      ['read', '', userId],
    ]);
  });

  it('makes up a message from a citizen known by user id alone: no from and no wa_id, and their window opens', async () => {
    const receiver = await webhookReceiver(1);
    const { transport, url: graphUrl } = await sandbox({ webhookUrl: receiver.url });
    const url = `${graphUrl}/sandbox/inbound`;
    const posted = await fetch(url, { method: 'POST', body: JSON.stringify({ userId, text: 'STOP' }) });
    expect(posted.status).toBe(200);
    const [value] = await receiver.values;
    expect(value?.messages?.[0]).toMatchObject({ from_user_id: userId, type: 'text', text: { body: 'STOP' } });
    expect(value?.messages?.[0]).not.toHaveProperty('from');
    expect(value?.contacts?.[0]).toEqual({ profile: { name: 'Cittadino' }, user_id: userId });
    expect(await transport.send({ ...avvisoTo(userId), content: { kind: 'text', body: 'Fatto' } }, signal)).toMatchObject({ ok: true });
    for (const wrong of [{ userId: 'maria', text: 'STOP' }, { text: 'STOP' }]) {
      expect((await fetch(url, { method: 'POST', body: JSON.stringify(wrong) })).status).toBe(400);
    }
  });

  it('refuses free text to a user id outside the 24-hour window, and allows it inside', async () => {
    const text = { ...avvisoTo(userId), content: { kind: 'text', body: 'Ciao' } } as const;
    expect(await (await sandbox()).transport.send(text, signal)).toMatchObject({ ok: false, failure: { providerCode: '131047' } });
    expect(await (await sandbox({ openWindow: [userId] })).transport.send(text, signal)).toMatchObject({ ok: true });
  });

  it('refuses a malformed user id as a bad value for that recipient (131009), not a fault of the send', async () => {
    const { transport } = await sandbox();
    expect(await transport.send(avvisoTo('username-maria' as WhatsAppUserId), signal)).toMatchObject({
      ok: false,
      failure: { kind: 'recipient', code: 'WHATSAPP_INVALID_VALUE', providerCode: '131009' },
    });
  });
});

describe('the sandbox checks who a message is for as Meta does', () => {
  const rules = { templates: SANDBOX_TEMPLATES, openWindow: new Set<string>() };
  const template = { type: 'template', template: { name: 'avviso_cantieri', language: { code: 'it' }, components: [{ type: 'body', parameters: ['a', 'b', 'c'].map((text) => ({ type: 'text', text })) }] } };
  const body = (who: Record<string, unknown>) => ({ messaging_product: 'whatsapp', ...who, ...template });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['a number in to', { to: '+393331234567' }, { to: '393331234567' }],
    ['a user id in recipient', { recipient: userId }, { to: '', userId }],
    ['a parent user id in recipient', { recipient: 'US.ENT.11815799212886844830' }, { to: '', userId: 'US.ENT.11815799212886844830' }],
    ['both: to wins, the user id is kept', { to: '393331234567', recipient: userId }, { to: '393331234567', userId }],
    ['a user id in to, as Meta now takes it', { to: userId }, { to: '', userId }],
    ['a parent user id in to', { to: 'US.ENT.11815799212886844830' }, { to: '', userId: 'US.ENT.11815799212886844830' }],
  ])('accepts %s', (_, who, accepted) => {
    expect(checkMessage(body(who), rules)).toMatchObject({ ...accepted, type: 'template' });
  });

  it.each<[string, Record<string, unknown>, number, string]>([
    ['a to that is neither a number nor a user id', { to: 'maria' }, 131009, '"to" (maria) is not a valid phone number or business-scoped user id'],
    ['a user id without its country in to', { to: '13491208655302741918x' }, 131009, '"to" (13491208655302741918x) is not a valid phone number or business-scoped user id'],
    ['a user id without its country', { recipient: '13491208655302741918' }, 131009, '"recipient" (13491208655302741918) is not a valid business-scoped user id'],
    ['a user id with a space', { recipient: 'US.1349 1208' }, 131009, '"recipient" (US.1349 1208) is not a valid business-scoped user id'],
    ['a user id that is not a string', { recipient: 42 }, 131009, '"recipient" (42) is not a valid business-scoped user id'],
    ['nobody', {}, 131008, 'one of "to" or "recipient" is required'],
  ])('refuses %s', (_, who, code, details) => {
    expect(checkMessage(body(who), rules)).toMatchObject({ http: 400, code, details });
  });
});
