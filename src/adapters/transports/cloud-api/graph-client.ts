import { Pool, type Dispatcher } from 'undici';
import type { DeliveryFailure } from '../../../core/transport.js';
import { watchAbort } from '../abort-watch.js';
import { failureFromGraph } from './graph-errors.js';

/** Where the Graph API is and how to talk to it. */
export interface GraphSettings {
  /** `https://graph.facebook.com`, or the sandbox; a path prefix is kept. */
  readonly apiUrl: string;
  readonly apiVersion: string;
  readonly token: string;
  readonly timeoutMs: number;
  readonly connections: number;
  /** The undici seam: a MockAgent in tests. Default: a keep-alive Pool on the API's origin. */
  readonly dispatcher?: Dispatcher;
}

export type GraphReply = { readonly ok: true; readonly json: Record<string, unknown> } | { readonly ok: false; readonly failure: DeliveryFailure };

const TRANSPORT_ERRORS: Readonly<Record<string, string>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'the answer stalled',
  UND_ERR_SOCKET: 'the connection was closed',
  ECONNRESET: 'the connection was reset',
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name is unknown',
  EAI_AGAIN: 'the host name could not be resolved',
};

/**
 * A small Graph API client: one keep-alive pool, the bearer token, a timeout per request, and every answer turned
 * into a value — JSON, a Graph error mapped by code, or a transient failure for anything unreadable or unreachable.
 */
export class GraphClient {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly settings: GraphSettings) {
    const url = new URL(settings.apiUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.ownsDispatcher = settings.dispatcher === undefined;
    this.dispatcher = settings.dispatcher ?? new Pool(this.origin, { connections: settings.connections, keepAliveTimeout: 30_000, connectTimeout: settings.timeoutMs });
    this.headers = { authorization: `Bearer ${settings.token}`, 'content-type': 'application/json', accept: 'application/json' };
  }

  /** The secret removed from any text that may be shown. */
  hide = (text: string): string => (this.settings.token === '' ? text : text.split(this.settings.token).join('********'));

  /** `/v23.0/123/messages` under the API URL. */
  path(...segments: string[]): string {
    return `${this.prefix}/${this.settings.apiVersion}/${segments.map(encodeURIComponent).join('/')}`;
  }

  /**
   * One request. The caller's signal and the timeout end the wait at once with a value; the request itself is left
   * to undici's own header and body timeouts (handing undici an AbortSignal per request costs a third of the
   * throughput — see bench/cloud-api.mjs), and whatever it answers later is read and dropped. A request still
   * waiting for a connection when the wait ends is cancelled before it is written, so it never leaves after its
   * failure was reported; one already written is marked `mayHaveArrived` (DESIGN §7.2).
   */
  async call(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal): Promise<GraphReply> {
    if (signal.aborted) return ABORTED;
    const exchange = new Exchange();
    let settle: (reply: GraphReply) => void = () => undefined;
    const stop = new Promise<GraphReply>((resolve) => (settle = resolve));
    const giveUp = (reply: GraphReply): void => settle(exchange.giveUp() ? unanswered(reply) : reply);
    const timer = setTimeout(() => giveUp(transient('WHATSAPP_TIMEOUT', `the Graph API did not answer within ${this.settings.timeoutMs} ms`)), this.settings.timeoutMs);
    const unwatch = watchAbort(signal, () => giveUp(ABORTED));
    void this.exchange(method, path, body, exchange).then(settle);
    try {
      return await stop;
    } finally {
      clearTimeout(timer);
      unwatch();
    }
  }

  /**
   * The HTTP exchange itself, with undici's dispatch handler: it says when the request has been written (an error
   * after that may come after Meta accepted it). Never rejects.
   */
  private exchange(method: 'GET' | 'POST', path: string, body: unknown, exchange: Exchange): Promise<GraphReply> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let status = 0;
      const handler: WrittenAware = {
        onConnect: (abort) => exchange.connected(abort),
        onRequestSent: () => exchange.written(),
        onHeaders: (statusCode) => {
          status = statusCode;
          return true;
        },
        onData: (chunk) => {
          chunks.push(chunk);
          return true;
        },
        onComplete: () => resolve(this.read(status, Buffer.concat(chunks).toString('utf8'))),
        onError: (error) => {
          const reply = this.unreachable(error);
          resolve(exchange.isWritten ? unanswered(reply) : reply);
        },
      };
      try {
        this.dispatcher.dispatch(
          { origin: this.origin, path, method, headers: this.headers, body: body === undefined ? null : JSON.stringify(body), headersTimeout: this.settings.timeoutMs, bodyTimeout: this.settings.timeoutMs },
          handler,
        );
      } catch (error) {
        resolve(this.unreachable(error));
      }
    });
  }

  private read(status: number, text: string): GraphReply {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      const sample = this.hide(text.replace(/\s+/g, ' ').trim().slice(0, 80));
      return transient('WHATSAPP_BAD_REPLY', `the Graph API answered HTTP ${status} with something that is not JSON${sample === '' ? '' : `: "${sample}"`}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return transient('WHATSAPP_BAD_REPLY', `the Graph API answered HTTP ${status} with unexpected JSON`);
    }
    const error = (json as { error?: unknown }).error;
    if (typeof error === 'object' && error !== null) {
      const { code, message, error_data: data } = error as { code?: unknown; message?: unknown; error_data?: { details?: unknown } };
      const details = typeof data === 'object' && data !== null && typeof data.details === 'string' ? data.details : undefined;
      if (typeof code === 'number') {
        return { ok: false, failure: failureFromGraph({ code, ...(typeof message === 'string' ? { message } : {}), ...(details === undefined ? {} : { details }) }, this.hide) };
      }
      return transient('WHATSAPP_BAD_REPLY', `the Graph API answered HTTP ${status} with an error without a code`);
    }
    if (status >= 300) return transient('WHATSAPP_BAD_REPLY', `the Graph API answered HTTP ${status} without an error object`);
    return { ok: true, json: json as Record<string, unknown> };
  }

  private unreachable(error: unknown): GraphReply {
    const code = (error as { code?: unknown; cause?: { code?: unknown } }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
    const what = (typeof code === 'string' ? TRANSPORT_ERRORS[code] : undefined) ?? this.hide(error instanceof Error ? error.message : String(error));
    const timeout = typeof code === 'string' && code.includes('TIMEOUT');
    return transient(timeout ? 'WHATSAPP_TIMEOUT' : 'WHATSAPP_UNREACHABLE', `cannot reach the Graph API at ${this.origin}: ${what}`, typeof code === 'string' ? code : undefined);
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

/**
 * undici's handler with `onRequestSent`, which undici calls once the request (headers and body) has been handed to
 * the socket (lib/core/request.js); its types leave it out.
 */
type WrittenAware = Dispatcher.DispatchHandler & { onRequestSent?(): void };

/**
 * Where one request stands: not yet on a connection, on one (undici can still cancel it), or written. Once given up
 * before it was written, it is cancelled as soon as undici hands it a connection.
 */
class Exchange {
  private abort: ((reason?: Error) => void) | undefined;
  private isGivenUp = false;
  isWritten = false;

  connected(abort: (reason?: Error) => void): void {
    if (this.isGivenUp) abort(new Error('given up before it was written'));
    else this.abort = abort;
  }

  written(): void {
    this.isWritten = true;
  }

  /** The wait ended (timeout, interrupt): cancels the request if it was not written. Returns whether it was. */
  giveUp(): boolean {
    this.isGivenUp = true;
    if (!this.isWritten) this.abort?.(new Error('given up before it was written'));
    return this.isWritten;
  }
}

/** A failure that came after the request was written: Meta may have accepted it, so it must not be resent blindly. */
function unanswered(reply: GraphReply): GraphReply {
  if (reply.ok || reply.failure.kind !== 'transient') return reply;
  return { ok: false, failure: { ...reply.failure, mayHaveArrived: true, reason: `${reply.failure.reason} after the request was sent: WhatsApp may have accepted it` } };
}

const ABORTED: GraphReply = { ok: false, failure: { kind: 'transient', code: 'WHATSAPP_ABORTED', reason: 'the request was given up (interrupted)' } };

function transient(code: string, reason: string, providerCode?: string): GraphReply {
  return { ok: false, failure: { kind: 'transient', code, reason, ...(providerCode === undefined ? {} : { providerCode }) } };
}
