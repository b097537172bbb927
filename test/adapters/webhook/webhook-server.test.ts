import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { metaJson } from '../../../src/adapters/sandbox/status-webhooks.js';
import { signatureOf } from '../../../src/adapters/http/hub-signature.js';
import { WebhookServer, type WebhookHandlers } from '../../../src/adapters/http/webhook-server.js';
import { FakeClock } from '../../support/fake-deps.js';

const SECRET = 'app-secret';
let server: WebhookServer | undefined;
const payloads: unknown[] = [];
const lines: string[] = [];

afterEach(async () => {
  await server?.close();
  server = undefined;
  payloads.length = 0;
  lines.length = 0;
});

async function start(overrides: Partial<WebhookHandlers> = {}): Promise<string> {
  server = new WebhookServer({
    host: '127.0.0.1',
    port: 0,
    appSecret: SECRET,
    verifyToken: 'verifica',
    clock: new FakeClock(),
    log: (line) => lines.push(line),
    maxBodyBytes: 64 * 1024,
    handlers: {
      whatsapp: async (payload) => {
        payloads.push(payload);
        return 'statuses=0';
      },
      unsubscribe: async () => ({ status: 200, html: '<p>ok</p>', summary: 'page' }),
      ...overrides,
    },
  });
  return server.listen();
}

const post = async (url: string, body: string, signature?: string) => {
  const response = await request(`${url}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }) },
    body,
  });
  return { status: response.statusCode, text: await response.body.text() };
};

const payload = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { contacts: [{ profile: { name: 'Niccolò Società' }, wa_id: '393331234567' }] } }] }] };

describe('WebhookServer: signatures', () => {
  it('accepts a body signed as Meta signs it (accented characters escaped as \\u00f2), hashing the raw bytes', async () => {
    const url = await start();
    const body = metaJson(payload);
    expect(body).toContain('Niccol\\u00f2');
    expect(await post(url, body, signatureOf(body, SECRET))).toEqual({ status: 200, text: 'EVENT_RECEIVED\n' });
    expect(payloads).toEqual([payload]);
  });

  it('accepts a UTF-8 body signed over its own bytes, and the hex in capitals', async () => {
    const url = await start();
    const body = JSON.stringify(payload);
    expect((await post(url, body, signatureOf(Buffer.from(body, 'utf8'), SECRET))).status).toBe(200);
    expect((await post(url, body, signatureOf(body, SECRET).toUpperCase())).status).toBe(200);
  });

  it.each([
    ['missing', undefined],
    ['wrong', signatureOf('something else', SECRET)],
    ['made with another secret', signatureOf(metaJson(payload), 'other')],
    ['made over re-serialised JSON', signatureOf(JSON.stringify(payload), SECRET)],
    ['sha1 only', 'sha1=0000'],
  ])('refuses a signature that is %s with 401 and hands nothing on', async (_what, signature) => {
    const url = await start();
    expect((await post(url, metaJson(payload), signature)).status).toBe(401);
    expect(payloads).toEqual([]);
  });

  it('refuses a body over the limit with 413 and answers 500 when processing fails (Meta redelivers)', async () => {
    const url = await start({
      whatsapp: async () => {
        throw new Error('disk full');
      },
    });
    const big = JSON.stringify({ pad: 'x'.repeat(70 * 1024) });
    expect((await post(url, big, signatureOf(big, SECRET))).status).toBe(413);
    const body = metaJson(payload);
    expect((await post(url, body, signatureOf(body, SECRET))).status).toBe(500);
  });
});

describe('WebhookServer: handshake, health, log lines', () => {
  it.each([
    ['?hub.mode=subscribe&hub.verify_token=verifica&hub.challenge=1158201444', 200, '1158201444'],
    ['?hub.mode=subscribe&hub.verify_token=sbagliato&hub.challenge=1158201444', 403, 'forbidden\n'],
    ['?hub.mode=unsubscribe&hub.verify_token=verifica&hub.challenge=1', 403, 'forbidden\n'],
    ['', 403, 'forbidden\n'],
  ])('GET /webhooks/whatsapp%s → %i', async (query, status, text) => {
    const url = await start();
    const response = await request(`${url}/webhooks/whatsapp${query}`);
    expect(response.statusCode).toBe(status);
    expect(await response.body.text()).toBe(text);
  });

  it('answers /healthz, 404 elsewhere, and logs one line per request without tokens or secrets', async () => {
    const url = await start();
    expect((await request(`${url}/healthz`)).statusCode).toBe(200);
    expect((await request(`${url}/nowhere`)).statusCode).toBe(404);
    await (await request(`${url}/u/c2VjcmV0.tokensignature`)).body.text();
    await (await request(`${url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verifica&hub.challenge=7`)).body.text();
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/ GET \/u\/… 200 /);
    expect(lines.join('\n')).not.toMatch(/tokensignature|verifica/);
  });

  it('answers HEAD on /u/TOKEN as GET (the page handler, never the unsubscribe), with headers and no body', async () => {
    const calls: string[] = [];
    const url = await start({
      unsubscribe: async (token, method) => {
        calls.push(`${method} ${token}`);
        return { status: 200, html: '<p>pagina</p>', summary: 'page' };
      },
    });
    const head = await request(`${url}/u/c2VjcmV0.firma`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength('<p>pagina</p>')));
    expect(await head.body.text()).toBe('');
    expect(calls).toEqual(['GET c2VjcmV0.firma']);
    expect(lines[0]).toMatch(/ HEAD \/u\/… 200 /);
  });
});
