import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RateLimiter } from '../../src/adapters/http/rate-limit.js';
import { WebhookServer } from '../../src/adapters/http/webhook-server.js';
import { HomeSignupStore } from '../../src/adapters/signup/home-signup-store.js';
import { MemorySubscriberStore } from '../../src/adapters/store/memory-subscriber-store.js';
import { webSignup } from '../../src/commands/webhook/web-signup.js';
import { resolveSettings } from '../../src/core/settings.js';
import type { Template } from '../../src/core/template.js';
import type { Envelope, SendResult, Transport } from '../../src/core/transport.js';
import { aStore } from '../support/builders.js';
import { FakeClock, sequentialIds } from '../support/fake-deps.js';

export const NOW = '2026-12-04T10:00:00.000Z';

function keeping(channel: 'email' | 'whatsapp', sent: Envelope[], fail: () => boolean): Transport {
  return {
    name: 'outbox',
    channel,
    send: async (envelope): Promise<SendResult> => {
      if (fail()) return { ok: false, failure: { kind: 'transient', code: 'SMTP_DOWN', reason: 'down' } };
      sent.push(envelope);
      return { ok: true, providerMessageId: `m${sent.length}` };
    },
  };
}

export interface SignupServer {
  readonly url: string;
  readonly clock: FakeClock;
  readonly signups: HomeSignupStore;
  readonly sent: Envelope[];
  readonly confirmations: Array<{ at: string; signupId: string }>;
  failSends: boolean;
  close(): Promise<void>;
}

/** The sign-up pages on a real HTTP server on 127.0.0.1, a real sign-up store in a temporary home, fake transports. */
export async function signupServer(config: Record<string, string | number> = {}, templates: Template[] = []): Promise<SignupServer> {
  const home = await mkdtemp(join(tmpdir(), 'canale-signup-'));
  const clock = new FakeClock(new Date(NOW));
  const signups = new HomeSignupStore(home);
  const sent: Envelope[] = [];
  const confirmations: Array<{ at: string; signupId: string }> = [];
  const data = { ...aStore(), templates };
  let publicUrl = '';
  const state = { failSends: false };
  const handler = webSignup({
    store: new MemorySubscriberStore(data),
    signups,
    settings: async () => resolveSettings({ publicUrl, unsubscribeSecret: 's3cret', 'privacy.noticeUrl': 'https://comune.example.it/privacy', 'privacy.noticeVersion': '2026-1', 'city.name': 'Comune di Prova', ...config }, {}),
    clock,
    ids: sequentialIds(),
    limiter: new RateLimiter(10, 600_000, clock),
    senders: { email: () => keeping('email', sent, () => state.failSends), whatsapp: () => keeping('whatsapp', sent, () => state.failSends) },
    recordConfirmation: async (at, signupId) => {
      confirmations.push({ at, signupId });
    },
  });
  const server = new WebhookServer({ host: '127.0.0.1', port: 0, clock, log: () => undefined, handlers: { whatsapp: async () => 'ok', unsubscribe: async () => ({ status: 500, html: '', summary: '' }), signup: handler } });
  const url = await server.listen();
  publicUrl = url;
  return {
    url,
    clock,
    signups,
    sent,
    confirmations,
    get failSends() {
      return state.failSends;
    },
    set failSends(v: boolean) {
      state.failSends = v;
    },
    close: () => server.close(),
  };
}

/** The form's hidden token in a page. */
export const tokenIn = (html: string): string => /name="token" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Posts a form as a browser on the page would (same origin). */
export async function post(url: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<{ status: number; html: string; headers: Headers }> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  const res = await fetch(url, { method: 'POST', body, headers: { origin: new URL(url).origin, 'sec-fetch-site': 'same-origin', ...headers }, redirect: 'manual' });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

export async function formToken(server: SignupServer): Promise<string> {
  return tokenIn(await (await fetch(`${server.url}/iscriviti`)).text());
}
