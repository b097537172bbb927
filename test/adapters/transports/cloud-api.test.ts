import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudApiTransport } from '../../../src/adapters/transports/cloud-api/cloud-api-transport.js';
import { KNOWN_GRAPH_CODES } from '../../../src/adapters/transports/cloud-api/graph-errors.js';
import { graphMessageBody } from '../../../src/adapters/transports/cloud-api/graph-message.js';
import type { E164 } from '../../../src/core/phone.js';
import type { FailureKind, WhatsAppEnvelope } from '../../../src/core/transport.js';

const ORIGIN = 'https://graph.test';
const TOKEN = 'EAAG-secret-token-123';
const PATH = '/v23.0/1234567890/messages';

const template: WhatsAppEnvelope = {
  channel: 'whatsapp',
  to: '+393331234567' as E164,
  campaignId: 'cmp_42',
  recipientKey: 'sub_1',
  content: { kind: 'template', name: 'avviso_cantieri', language: 'it', parameters: { format: 'positional', values: ['Maria', '2 dicembre'] } },
};

let agent: MockAgent;
let transport: CloudApiTransport;
const signal = new AbortController().signal;

function transportWith(timeoutMs = 5_000): CloudApiTransport {
  return new CloudApiTransport({ apiUrl: ORIGIN, apiVersion: 'v23.0', token: TOKEN, phoneNumberId: '1234567890', timeoutMs, connections: 1, dispatcher: agent });
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  transport = transportWith();
});
afterEach(async () => {
  await agent.close();
});

const graphError = (code: number, message = `(#${code}) something`) => ({
  error: { message, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details: 'details' }, fbtrace_id: 'Axyz' },
});

describe('graphMessageBody', () => {
  it('builds a positional template with the campaign id as callback data', () => {
    expect(graphMessageBody(template)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+393331234567',
      biz_opaque_callback_data: 'cmp_42',
      type: 'template',
      template: {
        name: 'avviso_cantieri',
        language: { code: 'it' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '2 dicembre' }] }],
      },
    });
  });

  it('names the parameters of a named template, and leaves out components when there are none', () => {
    const named = graphMessageBody({ ...template, content: { kind: 'template', name: 'raccolta', language: 'it', parameters: { format: 'named', values: { nome: 'Luca' } } } });
    expect((named.template as { components: unknown }).components).toEqual([{ type: 'body', parameters: [{ type: 'text', parameter_name: 'nome', text: 'Luca' }] }]);
    const bare = graphMessageBody({ ...template, content: { kind: 'template', name: 'saluto', language: 'it', parameters: { format: 'positional', values: [] } } });
    expect(bare.template).toEqual({ name: 'saluto', language: { code: 'it' } });
  });

  it('builds a text message without callback data for a test send', () => {
    const { campaignId: _c, ...test } = template;
    expect(graphMessageBody({ ...test, content: { kind: 'text', body: 'Ciao' } })).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+393331234567',
      type: 'text',
      text: { preview_url: false, body: 'Ciao' },
    });
  });
});

describe('CloudApiTransport.send', () => {
  it('posts with the bearer token and returns the wamid and wa_id', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH, method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: (b) => JSON.parse(b).template.name === 'avviso_cantieri' })
      .reply(200, { messaging_product: 'whatsapp', contacts: [{ input: '+393331234567', wa_id: '393331234567' }], messages: [{ id: 'wamid.ABC' }] });
    expect(await transport.send(template, signal)).toEqual({ ok: true, providerMessageId: 'wamid.ABC', waId: '393331234567' });
  });

  it('returns the business-scoped user id of contacts[], with or without a wa_id (2026)', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH, method: 'POST' })
      .reply(200, { messaging_product: 'whatsapp', contacts: [{ input: '+393331234567', wa_id: '', user_id: 'IT.1349120865' }], messages: [{ id: 'wamid.U' }] });
    expect(await transport.send(template, signal)).toEqual({ ok: true, providerMessageId: 'wamid.U', userId: 'IT.1349120865' });
  });

  // One case per class of reference §2.3; the HTTP status is deliberately "wrong" for some, since only error.code counts.
  const ROWS: Array<[number, number, FailureKind, string, number | undefined]> = [
    [190, 401, 'fatal', 'WHATSAPP_TOKEN_INVALID', undefined],
    [0, 401, 'fatal', 'WHATSAPP_TOKEN_INVALID', undefined],
    [3, 403, 'fatal', 'WHATSAPP_PERMISSION', undefined],
    [10, 403, 'fatal', 'WHATSAPP_PERMISSION', undefined],
    [200, 403, 'fatal', 'WHATSAPP_PERMISSION', undefined],
    [299, 403, 'fatal', 'WHATSAPP_PERMISSION', undefined],
    [250, 403, 'fatal', 'WHATSAPP_PERMISSION', undefined],
    [131005, 403, 'fatal', 'WHATSAPP_PERMISSION', undefined],
    [4, 400, 'rate-limit', 'WHATSAPP_API_RATE_LIMIT', 60_000],
    [80007, 400, 'rate-limit', 'WHATSAPP_API_RATE_LIMIT', 60_000],
    [130429, 400, 'rate-limit', 'WHATSAPP_THROUGHPUT', 1_000],
    [130429, 429, 'rate-limit', 'WHATSAPP_THROUGHPUT', 1_000],
    [131048, 400, 'fatal', 'WHATSAPP_SPAM_RATE_LIMIT', undefined],
    [131056, 400, 'deferred', 'WHATSAPP_PAIR_RATE_LIMIT', 6_000],
    [131057, 500, 'transient', 'WHATSAPP_MAINTENANCE', 60_000],
    [368, 403, 'fatal', 'WHATSAPP_ACCOUNT_BLOCKED', undefined],
    [131031, 403, 'fatal', 'WHATSAPP_ACCOUNT_BLOCKED', undefined],
    [131042, 400, 'fatal', 'WHATSAPP_PAYMENT', undefined],
    [131045, 500, 'fatal', 'WHATSAPP_CERTIFICATE', undefined],
    [133010, 400, 'fatal', 'WHATSAPP_NUMBER_NOT_REGISTERED', undefined],
    [1, 400, 'transient', 'WHATSAPP_API_UNKNOWN', undefined],
    [2, 503, 'transient', 'WHATSAPP_UNAVAILABLE', undefined],
    [131000, 500, 'transient', 'WHATSAPP_SOMETHING_WENT_WRONG', undefined],
    [131016, 500, 'transient', 'WHATSAPP_UNAVAILABLE', undefined],
    [133004, 503, 'transient', 'WHATSAPP_UNAVAILABLE', undefined],
    [100, 400, 'fatal', 'WHATSAPP_BAD_REQUEST', undefined],
    [131008, 400, 'fatal', 'WHATSAPP_BAD_REQUEST', undefined],
    [131009, 400, 'fatal', 'WHATSAPP_INVALID_PARAMETER', undefined],
    [131051, 400, 'fatal', 'WHATSAPP_BAD_REQUEST', undefined],
    [131053, 400, 'fatal', 'WHATSAPP_MEDIA', undefined],
    [131047, 400, 'recipient', 'WHATSAPP_OUTSIDE_WINDOW', undefined],
    [132000, 400, 'fatal', 'WHATSAPP_TEMPLATE_PARAMS', undefined],
    [132001, 404, 'fatal', 'WHATSAPP_TEMPLATE_NOT_FOUND', undefined],
    [132005, 400, 'recipient', 'WHATSAPP_TEXT_TOO_LONG', undefined],
    [132007, 400, 'fatal', 'WHATSAPP_FORMAT_POLICY', undefined],
    [132012, 400, 'fatal', 'WHATSAPP_PARAM_FORMAT', undefined],
    [132015, 400, 'fatal', 'WHATSAPP_TEMPLATE_PAUSED', undefined],
    [132016, 400, 'fatal', 'WHATSAPP_TEMPLATE_DISABLED', undefined],
    [132018, 400, 'recipient', 'WHATSAPP_PARAM_TEXT', undefined],
    [131026, 400, 'recipient', 'WHATSAPP_UNDELIVERABLE', undefined],
    [131021, 400, 'recipient', 'WHATSAPP_RECIPIENT_IS_SENDER', undefined],
    [131049, 400, 'recipient', 'WHATSAPP_MARKETING_LIMIT', undefined],
    [131050, 400, 'recipient', 'WHATSAPP_MARKETING_STOPPED', undefined],
    [130472, 400, 'recipient', 'WHATSAPP_EXPERIMENT', undefined],
    [130497, 403, 'recipient', 'WHATSAPP_COUNTRY_RESTRICTED', undefined],
    [999999, 200, 'transient', 'WHATSAPP_ERROR', undefined],
  ];
  it.each(ROWS)('Graph code %i (HTTP %i) → %s %s', async (code, status, kind, canaleCode, retryAfterMs) => {
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(status, graphError(code));
    const result = await transport.send(template, signal);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toMatchObject({ kind, code: canaleCode, providerCode: String(code) });
    expect(result.failure.retryAfterMs).toBe(retryAfterMs);
    expect(result.failure.unclassified === true).toBe(code === 999999);
  });

  it('has a case above for every code it knows', () => {
    const tested = new Set(ROWS.map(([code]) => code));
    expect(KNOWN_GRAPH_CODES.filter((code) => !tested.has(code))).toEqual([]);
  });

  it('keeps 131009 about the number or user id on that recipient, as Meta words it in the details', async () => {
    const body = { error: { message: '(#131009) Parameter value is not valid', type: 'OAuthException', code: 131009, error_data: { messaging_product: 'whatsapp', details: '"to" (+12) is not a valid phone number' }, fbtrace_id: 'A1' } };
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(400, body);
    expect(await transport.send(template, signal)).toMatchObject({ ok: false, failure: { kind: 'recipient', code: 'WHATSAPP_INVALID_VALUE', providerCode: '131009' } });
  });

  it("names the parameter Meta's details point at for 131009, a problem of the message", async () => {
    const body = { error: { message: '(#131009) Parameter value is not valid', type: 'OAuthException', code: 131009, error_data: { messaging_product: 'whatsapp', details: "Parameter value is not valid: components[0]['parameters'][0]['image']['link'] must be https" }, fbtrace_id: 'A1' } };
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(400, body);
    const result = await transport.send(template, signal);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'fatal', code: 'WHATSAPP_INVALID_PARAMETER' } });
    expect(result.ok ? '' : result.failure.reason).toContain("components[0]['parameters'][0]['image']['link'] must be https");
    expect(result.ok ? '' : result.failure.reason).toMatch(/fix the message file/);
  });

  it('never shows the token, even when the server echoes it', async () => {
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(401, graphError(190, `Invalid token ${TOKEN}`));
    const result = await transport.send(template, signal);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).toContain('********');
  });

  it.each<[string, number, string | object]>([
    ['an HTML error page', 502, '<html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['garbage', 200, '\u0000\u0001not json at all'],
    ['an empty body', 503, ''],
    ['JSON that is not an object', 200, '[1,2,3]'],
    ['an error without a code', 500, { error: { message: 'oops' } }],
    ['a success without a message id', 200, { messaging_product: 'whatsapp', messages: [] }],
  ])('turns %s into a transient failure', async (_label, status, body) => {
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(status, typeof body === 'string' ? body : JSON.stringify(body));
    const result = await transport.send(template, signal);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'transient', code: 'WHATSAPP_BAD_REPLY' } });
  });

  it.each([
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), /connection was reset/],
    ['a closed socket', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), /connection was closed/],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), /connection was refused/],
    ['an unknown network error', new Error('something odd'), /something odd/],
  ])('turns %s into a transient failure', async (_label, error, reason) => {
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).replyWithError(error);
    const result = await transport.send(template, signal);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'transient', code: 'WHATSAPP_UNREACHABLE' } });
    if (!result.ok) expect(result.failure.reason).toMatch(reason);
  });

  it('gives up after the configured timeout', async () => {
    transport = transportWith(50);
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(200, { messages: [{ id: 'wamid.late' }] }).delay(2_000);
    expect(await transport.send(template, signal)).toMatchObject({ ok: false, failure: { kind: 'transient', code: 'WHATSAPP_TIMEOUT' } });
  });

  it('honours the caller’s abort signal', async () => {
    const controller = new AbortController();
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(200, { messages: [{ id: 'wamid.late' }] }).delay(2_000);
    const pending = transport.send(template, controller.signal);
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, failure: { code: 'WHATSAPP_ABORTED' } });
  });

  it('refuses an e-mail envelope as a value', async () => {
    const result = await transport.send({ channel: 'email', to: 'a@b.it' as never, subject: 's', text: 't', html: 'h', recipientKey: 'k' }, signal);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'fatal', code: 'WRONG_CHANNEL' } });
  });
});

describe('CloudApiTransport.verify', () => {
  it('reads the phone number', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: (p) => p.startsWith('/v23.0/1234567890?fields='), method: 'GET' })
      .reply(200, { verified_name: 'Comune di Esempio', display_phone_number: '+39 06 000', quality_rating: 'GREEN', id: '1234567890' });
    expect(await transport.verify(signal)).toEqual({ ok: true, detail: 'Graph API reachable at graph.test, phone number +39 06 000 "Comune di Esempio", quality GREEN' });
  });

  it('says what is wrong with the token', async () => {
    agent.get(ORIGIN).intercept({ path: (p) => p.startsWith('/v23.0/1234567890'), method: 'GET' }).reply(401, graphError(190));
    const result = await transport.verify(signal);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^WHATSAPP_TOKEN_INVALID: .*CANALE_WHATSAPP_TOKEN/);
  });
});
