import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../core/ports.js';
import { hasValidSignature, isSameSecret } from './hub-signature.js';

/** Which sign-up page a request is for. */
export type SignupRoute = { readonly page: 'form' } | { readonly page: 'confirm'; readonly token: string };

/** A request for a page citizens open, as the handler needs it. */
export interface PageRequest {
  readonly method: 'GET' | 'POST';
  readonly query: URLSearchParams;
  /** The posted form (empty for GET). */
  readonly form: URLSearchParams;
  /** Who asks: the socket's address, or — from a reverse proxy on this host — the last `X-Forwarded-For` entry. */
  readonly client: string;
  readonly origin?: string;
  readonly fetchSite?: string;
}

export interface PageAnswer {
  readonly status: number;
  readonly html: string;
  /** For the log line: no personal data. */
  readonly summary: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the server asks of canale for each kind of request; it does the HTTP, the checks and the log line. */
export interface WebhookHandlers {
  /** A payload whose signature checked. Resolves once it is logged durably and processed; a summary for the log line. */
  whatsapp(payload: unknown): Promise<string>;
  /** The e-mail unsubscribe page (GET, and HEAD as GET) or the unsubscribe itself (POST, one-click or the page's form). */
  unsubscribe(token: string, method: 'GET' | 'POST', form: URLSearchParams): Promise<{ readonly status: number; readonly html: string; readonly summary: string }>;
  /** The sign-up page and its confirmation link (`/iscriviti`, `/iscriviti/conferma/TOKEN`); without it they are not found. */
  signup?(route: SignupRoute, request: PageRequest): Promise<PageAnswer>;
}

/**
 * Pages citizens open: never in a frame, no outside resources, no script, forms posted only here, and no Referer to
 * other sites (a confirmation link's token must not reach the privacy notice's site; this site's own posts keep
 * their Origin, which `no-referrer` would make `null`).
 */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** The client's address; behind a reverse proxy on this host (a loopback peer), the address the proxy saw last. */
function clientOf(req: IncomingMessage): string {
  const peer = req.socket.remoteAddress ?? '?';
  const forwarded = header(req, 'x-forwarded-for');
  if (!LOOPBACK.has(peer) || forwarded === undefined) return peer;
  return forwarded.split(',').at(-1)?.trim() || peer;
}

export interface WebhookServerOptions {
  readonly host: string;
  readonly port: number;
  readonly appSecret?: string;
  readonly verifyToken?: string;
  readonly clock: Clock;
  /** One line per request, without personal data or secrets. */
  readonly log: (line: string) => void;
  readonly handlers: WebhookHandlers;
  readonly maxBodyBytes?: number;
}

/** Meta's payloads are documented up to 3 MB; a little more is accepted, anything bigger is refused unread. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_FORM_BYTES = 16 * 1024;

class TooLarge extends Error {}

function bodyOf(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new TooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new TooLarge());
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * `canale webhook serve`'s HTTP side (DESIGN §2): Meta's handshake and signed webhooks, the e-mail unsubscribe
 * links, a health check. Meant to sit behind the city's HTTPS reverse proxy; listens on 127.0.0.1 by default.
 */
export class WebhookServer {
  private readonly server: Server;

  constructor(private readonly options: WebhookServerOptions) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    this.server.requestTimeout = 30_000;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }

  /** Stops taking requests, lets those in progress finish (they are logged and processed), then resolves. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = url.pathname.startsWith('/u/') ? '/u/…' : url.pathname.startsWith('/iscriviti/conferma/') ? '/iscriviti/conferma/…' : url.pathname;
    let summary = '';
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8', extra: Readonly<Record<string, string>> = {}): void => {
      if (!res.headersSent) {
        const page = type.startsWith('text/html') ? PAGE_HEADERS : {};
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...page, ...extra });
        res.end(body);
      }
      const ms = (performance.now() - started).toFixed(1);
      this.options.log(`${this.options.clock.now().toISOString()} ${req.method ?? '?'} ${route.slice(0, 60)} ${status} ${ms}ms${summary === '' ? '' : ` ${summary}`}`);
    };
    try {
      if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) return send(200, '{"status":"ok"}\n', 'application/json');
      if (url.pathname === '/webhooks/whatsapp') {
        if (req.method === 'GET') return this.handshake(url, send);
        if (req.method === 'POST') {
          const raw = await bodyOf(req, this.options.maxBodyBytes ?? MAX_BODY_BYTES);
          const secret = this.options.appSecret;
          if (secret === undefined || secret === '' || !hasValidSignature(raw, header(req, 'x-hub-signature-256'), secret)) return send(401, 'invalid signature\n');
          let payload: unknown;
          try {
            payload = JSON.parse(raw.toString('utf8'));
          } catch {
            return send(400, 'not JSON\n');
          }
          summary = await this.options.handlers.whatsapp(payload);
          return send(200, 'EVENT_RECEIVED\n');
        }
        return send(405, 'method not allowed\n');
      }
      const token = /^\/u\/([A-Za-z0-9_.-]{1,512})\/?$/.exec(url.pathname)?.[1];
      if (token !== undefined && (req.method === 'GET' || req.method === 'HEAD' || req.method === 'POST')) {
        const form = req.method === 'POST' ? new URLSearchParams((await bodyOf(req, MAX_FORM_BYTES)).toString('utf8')) : new URLSearchParams();
        // HEAD (link checkers, mail scanners) is answered as GET — the page, which changes nothing — and Node sends no body
        const answer = await this.options.handlers.unsubscribe(token, req.method === 'POST' ? 'POST' : 'GET', form);
        summary = answer.summary;
        return send(answer.status, answer.html, 'text/html; charset=utf-8');
      }
      const signup = url.pathname === '/iscriviti' || url.pathname === '/iscriviti/' ? { page: 'form' as const } : confirmRoute(url.pathname);
      const handler = this.options.handlers.signup;
      if (signup !== undefined && handler !== undefined && (req.method === 'GET' || req.method === 'HEAD' || req.method === 'POST')) {
        const form = req.method === 'POST' ? new URLSearchParams((await bodyOf(req, MAX_FORM_BYTES)).toString('utf8')) : new URLSearchParams();
        const answer = await handler.call(this.options.handlers, signup, {
          method: req.method === 'POST' ? 'POST' : 'GET',
          query: url.searchParams,
          form,
          client: clientOf(req),
          ...(header(req, 'origin') === undefined ? {} : { origin: header(req, 'origin') as string }),
          ...(header(req, 'sec-fetch-site') === undefined ? {} : { fetchSite: header(req, 'sec-fetch-site') as string }),
        });
        summary = answer.summary;
        return send(answer.status, answer.html, answer.status === 404 ? 'text/plain; charset=utf-8' : 'text/html; charset=utf-8', answer.headers);
      }
      return send(404, 'not found\n');
    } catch (error) {
      if (error instanceof TooLarge) {
        res.setHeader('connection', 'close');
        return send(413, 'request body too large\n');
      }
      summary = `error ${error instanceof Error ? (error as NodeJS.ErrnoException).code ?? error.name : 'unknown'}`;
      return send(500, 'internal error\n');
    }
  }

  /** Meta's GET handshake (reference §4.1): the challenge back for the right verify token, 403 for anything else. */
  private handshake(url: URL, send: (status: number, body: string) => void): void {
    const token = this.options.verifyToken;
    const mode = url.searchParams.get('hub.mode');
    const given = url.searchParams.get('hub.verify_token');
    const challenge = url.searchParams.get('hub.challenge');
    const ok = mode === 'subscribe' && token !== undefined && token !== '' && given !== null && isSameSecret(given, token) && challenge !== null;
    if (!ok) return send(403, 'forbidden\n');
    send(200, challenge);
  }
}

function confirmRoute(path: string): SignupRoute | undefined {
  const token = /^\/iscriviti\/conferma\/([A-Za-z0-9_.-]{1,512})\/?$/.exec(path)?.[1];
  return token === undefined ? undefined : { page: 'confirm', token };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
