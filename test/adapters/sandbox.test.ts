import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphStandIn, type GraphStandInOptions } from '../../src/adapters/sandbox/graph-stand-in.js';
import { SmtpSink } from '../../src/adapters/sandbox/smtp-sink.js';
import { metaJson } from '../../src/adapters/sandbox/status-webhooks.js';
import { CloudApiTransport } from '../../src/adapters/transports/cloud-api/cloud-api-transport.js';
import { GraphTemplateSource } from '../../src/adapters/transports/cloud-api/graph-templates.js';
import { SmtpTransport } from '../../src/adapters/transports/smtp/smtp-transport.js';
import type { Email } from '../../src/core/email.js';
import type { E164 } from '../../src/core/phone.js';
import type { TemplateParameters, WhatsAppEnvelope } from '../../src/core/transport.js';
import { FakeClock } from '../support/fake-deps.js';

const ACCOUNT = { token: 'sandbox-token', phoneNumberId: '111', wabaId: '222', appSecret: 'shh-app-secret' };
const signal = new AbortController().signal;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sandbox(options: Partial<GraphStandInOptions> = {}, clock = new FakeClock()) {
  const graph = new GraphStandIn({ port: 0, ...ACCOUNT, clock, ...options });
  const url = await graph.listen();
  cleanups.push(() => graph.close());
  const settings = { apiUrl: url, apiVersion: 'v23.0', token: ACCOUNT.token, phoneNumberId: ACCOUNT.phoneNumberId, timeoutMs: 5_000, connections: 2 };
  const transport = new CloudApiTransport(settings);
  cleanups.push(() => transport.close());
  return { graph, url, transport, settings, clock };
}

const to = '+393331234567' as E164;
const positional = (...values: string[]): TemplateParameters => ({ format: 'positional', values });
const templateTo = (name: string, parameters: TemplateParameters, language = 'it'): WhatsAppEnvelope => ({
  channel: 'whatsapp',
  to,
  campaignId: 'cmp_1',
  recipientKey: 'sub_1',
  content: { kind: 'template', name, language, parameters },
});
const avviso = templateTo('avviso_cantieri', positional('Maria', '2 dicembre', 'via Nazionale'));

describe('the Cloud API transport against the sandbox', () => {
  it('sends positional and named templates and gets wamids', async () => {
    const { transport, url } = await sandbox();
    expect(await transport.send(avviso, signal)).toMatchObject({ ok: true, providerMessageId: expect.stringMatching(/^wamid\./), waId: '393331234567' });
    const named = templateTo('raccolta_rifiuti', { format: 'named', values: { nome: 'Luca', giorno: 'lunedì', materiale: 'la carta' } });
    expect(await transport.send(named, signal)).toMatchObject({ ok: true });
    const received = (await (await fetch(`${url}/sandbox/received`)).json()) as { whatsapp: unknown[]; email: unknown[] };
    expect(received.whatsapp).toHaveLength(2);
    expect(received.whatsapp[0]).toMatchObject({ to: '+393331234567', request: { biz_opaque_callback_data: 'cmp_1' } });
  });

  it.each<[string, WhatsAppEnvelope, string, string]>([
    ['an unknown template', templateTo('nessuno', positional('a')), 'WHATSAPP_TEMPLATE_NOT_FOUND', '132001'],
    ['a language it was not approved in', templateTo('avviso_cantieri', positional('a', 'b', 'c'), 'en_US'), 'WHATSAPP_TEMPLATE_NOT_FOUND', '132001'],
    ['too few parameters', templateTo('avviso_cantieri', positional('Maria')), 'WHATSAPP_TEMPLATE_PARAMS', '132000'],
    ['a wrong parameter name', templateTo('raccolta_rifiuti', { format: 'named', values: { nome: 'a', giorno: 'b', colore: 'c' } }), 'WHATSAPP_TEMPLATE_PARAMS', '132000'],
    ['positional values for a named template', templateTo('raccolta_rifiuti', positional('a', 'b', 'c')), 'WHATSAPP_PARAM_FORMAT', '132012'],
    ['a newline in a parameter', templateTo('avviso_cantieri', positional('Maria', 'due\ndicembre', 'via')), 'WHATSAPP_PARAM_TEXT', '132018'],
    ['a tab in a parameter', templateTo('avviso_cantieri', positional('Maria', 'due\tdicembre', 'via')), 'WHATSAPP_PARAM_TEXT', '132018'],
    ['five spaces in a parameter', templateTo('avviso_cantieri', positional('Maria', 'due     dicembre', 'via')), 'WHATSAPP_PARAM_TEXT', '132018'],
    ['an empty parameter', templateTo('avviso_cantieri', positional('Maria', '', 'via')), 'WHATSAPP_PARAM_TEXT', '132018'],
    ['a paused template', templateTo('evento_cittadino', positional('a', 'b')), 'WHATSAPP_TEMPLATE_PAUSED', '132015'],
    ['free text outside the 24-hour window', { ...avviso, content: { kind: 'text', body: 'Ciao' } }, 'WHATSAPP_OUTSIDE_WINDOW', '131047'],
    ['a number that is not one', { ...avviso, to: '+12' as E164 }, 'WHATSAPP_INVALID_VALUE', '131009'],
  ])('answers %s like the real API', async (_label, envelope, code, providerCode) => {
    const { transport } = await sandbox();
    expect(await transport.send(envelope, signal)).toMatchObject({ ok: false, failure: { code, providerCode } });
  });

  it('allows free text to a number that wrote in the last 24 hours', async () => {
    const { transport } = await sandbox({ openWindow: ['393331234567'] });
    expect(await transport.send({ ...avviso, content: { kind: 'text', body: 'Ciao' } }, signal)).toMatchObject({ ok: true });
  });

  it('refuses a wrong token with 190, and never shows the token', async () => {
    const { settings } = await sandbox();
    const wrong = new CloudApiTransport({ ...settings, token: 'not-the-token' });
    cleanups.push(() => wrong.close());
    const result = await wrong.send(avviso, signal);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'fatal', code: 'WHATSAPP_TOKEN_INVALID', providerCode: '190' } });
    expect(JSON.stringify(result)).not.toContain('not-the-token');
  });

  it('throttles above --mps with 130429 until the next second', async () => {
    const { transport, clock } = await sandbox({ mps: 2 });
    const results = [await transport.send(avviso, signal), await transport.send(avviso, signal), await transport.send(avviso, signal)];
    expect(results.map((r) => (r.ok ? 'ok' : r.failure.code))).toEqual(['ok', 'ok', 'WHATSAPP_THROUGHPUT']);
    expect(results[2]).toMatchObject({ ok: false, failure: { kind: 'rate-limit', retryAfterMs: 1000 } });
    clock.advance(1000);
    expect(await transport.send(avviso, signal)).toMatchObject({ ok: true });
  });

  it('fails a share of requests with a 5xx under --fail-rate', async () => {
    const draws = [0.1, 0.9];
    const { transport } = await sandbox({ failRate: 0.5, random: () => draws.shift() ?? 0.9 });
    expect(await transport.send(avviso, signal)).toMatchObject({ ok: false, failure: { kind: 'transient', code: 'WHATSAPP_SOMETHING_WENT_WRONG' } });
    expect(await transport.send(avviso, signal)).toMatchObject({ ok: true });
  });

  it('times out on --latency longer than the timeout', async () => {
    const { settings } = await sandbox({ latencyMs: 1_000 });
    const impatient = new CloudApiTransport({ ...settings, timeoutMs: 100 });
    cleanups.push(() => impatient.close());
    expect(await impatient.send(avviso, signal)).toMatchObject({ ok: false, failure: { code: 'WHATSAPP_TIMEOUT' } });
  });

  it('verifies the phone number', async () => {
    const { transport } = await sandbox();
    expect(await transport.verify(signal)).toMatchObject({ ok: true, detail: expect.stringContaining('"Comune di Esempio (sandbox)"') });
  });

  it('pages through the templates and maps them to canale templates', async () => {
    const { settings } = await sandbox({ templatesPageSize: 2 });
    const fetched = await new GraphTemplateSource({ ...settings, wabaId: ACCOUNT.wabaId }).fetchTemplates(signal);
    expect(fetched.ok).toBe(true);
    if (!fetched.ok) return;
    expect(fetched.templates.map((t) => t.name)).toEqual([
      'avviso_cantieri', 'raccolta_rifiuti', 'chiusura_scuole', 'allerta_emergenza', 'evento_cittadino',
      'allerta_meteo', 'avviso_municipio', 'bando_pubblicato', 'conferma_iscrizione',
    ]);
    expect(fetched.templates[1]).toEqual({
      id: '1000000000000002',
      name: 'raccolta_rifiuti',
      language: 'it',
      category: 'UTILITY',
      status: 'APPROVED',
      parameterFormat: 'named',
      parameters: ['nome', 'giorno', 'materiale'],
      headerParameters: [],
      texts: { body: 'Ciao {{nome}}, {{giorno}} la raccolta di {{materiale}} nel tuo quartiere è spostata.', footer: 'Comune di Esempio — messaggio automatico', buttons: [] },
      buttons: [],
    });
    expect(fetched.templates[3]).toMatchObject({ texts: { header: 'Allerta di protezione civile', headerFormat: 'TEXT', buttons: ['Aggiornamenti'] } });
  });
});

interface Hook {
  readonly raw: Buffer;
  readonly signature: string;
}

/** A webhook receiver that resolves once `count` POSTs arrived. */
async function webhookReceiver(count: number): Promise<{ url: string; hooks: Promise<Hook[]>; server: Server }> {
  const hooks: Hook[] = [];
  let done: (h: Hook[]) => void = () => undefined;
  const all = new Promise<Hook[]>((resolve) => (done = resolve));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ raw: Buffer.concat(chunks), signature: String(req.headers['x-hub-signature-256']) });
      res.end('ok');
      if (hooks.length === count) done(hooks);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp`, hooks: all, server };
}

const statusOf = (hook: Hook) => (JSON.parse(hook.raw.toString('utf8')) as { entry: Array<{ changes: Array<{ value: { statuses: Array<Record<string, unknown>> } }> }> }).entry[0]?.changes[0]?.value.statuses[0];

describe('status webhooks from the sandbox', () => {
  it('posts sent, delivered and read, signed with the app secret over the raw bytes', async () => {
    const receiver = await webhookReceiver(3);
    const { transport } = await sandbox({ webhookUrl: receiver.url });
    const sent = await transport.send(avviso, signal);
    const hooks = await receiver.hooks;
    for (const hook of hooks) {
      expect(hook.signature).toBe(`sha256=${createHmac('sha256', ACCOUNT.appSecret).update(hook.raw).digest('hex')}`);
    }
    expect(hooks.map((h) => statusOf(h)?.status)).toEqual(['sent', 'delivered', 'read']);
    expect(statusOf(hooks[0] as Hook)).toMatchObject({ id: sent.ok ? sent.providerMessageId : '', recipient_id: '393331234567', biz_opaque_callback_data: 'cmp_1' });
  });

  it('fails a "not on WhatsApp" number with 131026 after accepting it', async () => {
    const receiver = await webhookReceiver(1);
    const { transport } = await sandbox({ webhookUrl: receiver.url, notOnWhatsApp: ['393331234567'] });
    expect(await transport.send(avviso, signal)).toMatchObject({ ok: true });
    const [hook] = await receiver.hooks;
    expect(statusOf(hook as Hook)).toMatchObject({ status: 'failed', errors: [{ code: 131026 }] });
  });

  it('escapes non-ASCII like Meta does', () => {
    expect(metaJson({ nome: 'Niccolò' })).toBe('{"nome":"Niccol\\u00f2"}');
  });
});

describe('the SMTP sink', () => {
  it('keeps each message as an .eml and answers 550 and 451 to chosen recipients', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'canale-sink-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sink = new SmtpSink({ port: 0, dir, clock: new FakeClock(), reject: ['nessuno@example.it'], tempfail: ['dopo@example.it'] });
    const port = await sink.listen();
    cleanups.push(() => sink.close());
    const smtp = new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, from: 'Comune <avvisi@comune.example.it>', connections: 1, messagesPerConnection: 10, timeoutMs: 5_000, clock: new FakeClock() });
    cleanups.push(() => smtp.close());
    const mail = (address: string) => ({ channel: 'email' as const, to: address as Email, subject: 'Città', text: 'Perché sì', html: '<p>Perché sì</p>', recipientKey: 'k' });
    expect(await smtp.send(mail('maria@example.it'), signal)).toMatchObject({ ok: true });
    expect(await smtp.send(mail('nessuno@example.it'), signal)).toMatchObject({ ok: false, failure: { kind: 'recipient', code: 'SMTP_MAILBOX_REJECTED', providerCode: '550' } });
    expect(await smtp.send(mail('dopo@example.it'), signal)).toMatchObject({ ok: false, failure: { kind: 'transient', code: 'SMTP_TEMPORARY', providerCode: '451' } });
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]).toMatchObject({ from: 'avvisi@comune.example.it', to: ['maria@example.it'] });
    expect(await readFile(sink.received[0]?.file ?? '', 'utf8')).toMatch(/^Subject: =\?UTF-8\?Q\?Citt=C3=A0\?=\r$/m);
  });
});
