import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../core/ports.js';
import { answerControl, type ControlHost } from './control-endpoints.js';
import { checkMessage, type GraphErrorAnswer } from './graph-checks.js';
import { graphAnswerFor } from './meta-errors.js';
import { SANDBOX_TEMPLATES, type GraphTemplateRecord } from './sandbox-templates.js';
import { randomUnit } from './random-unit.js';
import { Scenarios, type AcceptedPlay, type Scenario } from './scenarios.js';
import { postWebhook, statusPayload, type StatusUpdate, type WebhookIds } from './status-webhooks.js';

export interface GraphStandInOptions {
  readonly port: number;
  readonly token: string;
  readonly phoneNumberId: string;
  readonly wabaId: string;
  readonly appSecret: string;
  readonly clock: Clock;
  /** Requests a second over which 130429 is answered. */
  readonly mps?: number;
  /** Share of message requests answered with a 5xx, 0–1. */
  readonly failRate?: number;
  /** Share of message requests answered with throttling (130429), 0–1, whatever the rate. */
  readonly throttleRate?: number;
  readonly latencyMs?: number;
  readonly webhookUrl?: string;
  /** Numbers (digits) that are "not on WhatsApp": accepted, then a `failed` status with 131026. */
  readonly notOnWhatsApp?: readonly string[];
  /** Numbers (digits) and user ids that wrote in the last 24 hours, to which free text is allowed. */
  readonly openWindow?: readonly string[];
  readonly templates?: readonly GraphTemplateRecord[];
  /** Numbers (digits) whose business-scoped user id Meta would return with a send to them (`contacts[].user_id`). */
  readonly userIds?: Readonly<Record<string, string>>;
  /** At most this many templates a page, whatever `limit` asks, so paging is always exercised. */
  readonly templatesPageSize?: number;
  /** A number in [0, 1); injected so tests can make --fail-rate deterministic. */
  readonly random?: () => number;
  /** The e-mails the sandbox's SMTP sink received, listed beside the WhatsApp messages. */
  readonly receivedMail?: () => readonly unknown[];
  /** Called for each message request answered, after it is listed: lets tests wait for progress without sleeping. */
  readonly onReceived?: (message: ReceivedMessage) => void;
  /** Called for each status webhook POST and its outcome, for the sandbox's log. */
  readonly onWebhook?: (update: StatusUpdate, outcome: string) => void;
  /** Situations armed from the start (the command's flags); more are armed with `POST /sandbox/...`. */
  readonly scenarios?: readonly Scenario[];
  /** How the control endpoints read a number written without a prefix (canale's `country`; default IT). */
  readonly country?: string;
}

/** One message the stand-in answered, as listed by `GET /sandbox/received`. */
export interface ReceivedMessage {
  readonly at: string;
  /** `to` as sent, or `recipient` (the user id) for a message sent by user id only. */
  readonly to: string;
  readonly request: unknown;
  readonly outcome: { readonly wamid: string } | { readonly error: number };
}

const DISPLAY_NUMBER = '390000000000';
/** Meta's customer-service window: free form (text, interactive) for 24 hours after the citizen's last message. */
const WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * A Graph API stand-in on 127.0.0.1 (issue 4 §6, issue 16 §5): the messages endpoint validates like the real one and
 * answers with the real shapes, the templates endpoint pages, the phone number can be read, status webhooks are
 * signed, `GET /sandbox/received` lists what arrived, and the `/sandbox/...` endpoints play Meta's situations on
 * demand (control-endpoints.ts).
 */
export class GraphStandIn {
  readonly received: ReceivedMessage[] = [];
  private readonly server: Server;
  private window = { second: -1, count: 0 };
  private readonly random: () => number;
  /**
   * When each number or user id last wrote, by the stand-in's clock: those given (at the start), and those that wrote
   * through `POST /sandbox/inbound`. Free form is allowed to them for 24 hours from then, as Meta's window.
   */
  private readonly wroteAt = new Map<string, number>();
  private readonly openWindow = { has: (key: string) => this.options.clock.now().getTime() - (this.wroteAt.get(key) ?? -Infinity) < WINDOW_MS };
  readonly scenarios: Scenarios;
  private readonly control: ControlHost;
  private readonly ids: WebhookIds;
  /** Late answers still waiting (`POST /sandbox/slow`): close() lets them go at once. */
  private readonly waiting = new Map<NodeJS.Timeout, () => void>();

  /** Opens the 24-hour window of a number (digits) or user id now, as a message from them would: for tests and benchmarks. */
  openWindowFor(key: string): void {
    this.wroteAt.set(key, this.options.clock.now().getTime());
  }

  constructor(private readonly options: GraphStandInOptions) {
    this.random = options.random ?? randomUnit;
    for (const key of options.openWindow ?? []) this.wroteAt.set(key, options.clock.now().getTime());
    this.scenarios = new Scenarios(options.scenarios);
    this.ids = { wabaId: options.wabaId, phoneNumberId: options.phoneNumberId, displayNumber: DISPLAY_NUMBER };
    this.control = {
      scenarios: this.scenarios,
      clock: options.clock,
      ids: this.ids,
      country: options.country ?? 'IT',
      post: (payload) => (options.webhookUrl === undefined ? undefined : postWebhook(options.webhookUrl, payload, options.appSecret)),
      openWindow: (key) => this.openWindowFor(key),
      lastSentTo: (keys) => {
        const last = this.received.findLast((m) => 'wamid' in m.outcome && keys.includes(m.to.replace(/^\+/, '')));
        return last !== undefined && 'wamid' in last.outcome ? last.outcome.wamid : undefined;
      },
      received: () => ({ whatsapp: this.received, email: options.receivedMail?.() ?? [] }),
    };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.reply(res, 500, { error: { message: String(error), type: 'OAuthException', code: 1 } }));
    });
    this.server.keepAliveTimeout = 60_000;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const [timer, release] of this.waiting) {
      clearTimeout(timer);
      release();
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private graphError(res: ServerResponse, answer: GraphErrorAnswer): void {
    const fbtrace = randomBytes(8).toString('base64url');
    this.reply(res, answer.http, {
      error: { message: answer.message, type: 'OAuthException', code: answer.code, error_data: { messaging_product: 'whatsapp', details: answer.details }, fbtrace_id: fbtrace },
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const parts = url.pathname.split('/').filter(Boolean);
    const control = await answerControl(req.method ?? 'GET', url.pathname, raw, this.control);
    if (control !== undefined) return this.reply(res, control.status, control.body);
    if (parts.length === 0 || !/^v\d+\.\d+$/.test(parts[0] ?? '')) return this.graphError(res, { http: 400, code: 100, message: '(#100) Unknown path components', details: url.pathname });
    if (req.headers.authorization !== `Bearer ${this.options.token}`) {
      return this.graphError(res, { http: 401, code: 190, message: 'Invalid OAuth access token - Cannot parse access token', details: 'the access token is not valid' });
    }
    const [, id, edge] = parts;
    if (req.method === 'POST' && edge === 'messages' && id === this.options.phoneNumberId) return this.message(raw, req, res);
    if (req.method === 'GET' && edge === 'message_templates' && id === this.options.wabaId) return this.templates(url, res);
    if (req.method === 'GET' && edge === undefined && id === this.options.phoneNumberId) {
      return this.reply(res, 200, { verified_name: 'Comune di Esempio (sandbox)', display_phone_number: `+${DISPLAY_NUMBER}`, quality_rating: 'GREEN', id });
    }
    return this.graphError(res, { http: 400, code: 100, message: `(#100) Unsupported ${req.method} request. Object with ID '${id}' does not exist`, details: url.pathname });
  }

  private record(message: ReceivedMessage): void {
    this.received.push(message);
    this.options.onReceived?.(message);
  }

  private isOverRate(): boolean {
    if (this.options.mps === undefined) return false;
    const second = Math.floor(this.options.clock.now().getTime() / 1000);
    if (second !== this.window.second) this.window = { second, count: 0 };
    this.window.count++;
    return this.window.count > this.options.mps;
  }

  private async message(raw: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.options.latencyMs !== undefined && this.options.latencyMs > 0) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    const at = this.options.clock.now().toISOString();
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return this.graphError(res, { http: 400, code: 100, message: '(#100) Invalid parameter', details: 'the request body is not JSON' });
    }
    const addressed = body as { to?: unknown; recipient?: unknown } | null;
    const to = String(addressed?.to ?? addressed?.recipient ?? '');
    const answer =
      this.isOverRate() || (this.options.throttleRate !== undefined && this.random() < this.options.throttleRate)
      ? { http: 400, code: 130429, message: '(#130429) Rate limit hit', details: `Cloud API message throughput (${this.options.mps ?? 'sandbox'} mps) has been reached.` }
      : this.options.failRate !== undefined && this.random() < this.options.failRate
        ? { http: 500, code: 131000, message: '(#131000) Something went wrong', details: 'simulated failure (--fail-rate)' }
        : checkMessage(body, { templates: this.options.templates ?? SANDBOX_TEMPLATES, openWindow: this.openWindow });
    if ('code' in answer) {
      this.record({ at, to, request: body, outcome: { error: answer.code } });
      return this.graphError(res, answer);
    }
    // sent by user id, Meta answers with an empty wa_id and the user id (business-scoped-user-ids, 2026)
    const userId = answer.userId ?? this.options.userIds?.[answer.to];
    // armed situations play on requests that pass the checks, as Meta's limits apply to messages it would send
    const play = this.scenarios.playFor([answer.to, userId ?? ''].filter((k) => k !== ''));
    if ('refuse' in play) {
      const refused = graphAnswerFor(play.refuse.code, play.refuse);
      this.record({ at, to, request: body, outcome: { error: refused.code } });
      return this.graphError(res, refused);
    }
    const wamid = `wamid.${randomBytes(18).toString('base64url')}`;
    this.record({ at, to, request: body, outcome: { wamid } });
    const callbackData = (body as { biz_opaque_callback_data?: unknown }).biz_opaque_callback_data;
    const notify = () => this.notify(wamid, answer.to, userId, typeof callbackData === 'string' ? callbackData : undefined, play.accept);
    const accepted = { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: answer.to, ...(userId === undefined ? {} : { user_id: userId }) }], messages: [{ id: wamid }] };
    if (play.accept.delayMs === undefined && play.accept.reset !== true) {
      this.reply(res, 200, accepted);
      return void notify();
    }
    // a late answer or a reset comes after the receipts are posted: canale hears of the message before its answer
    await notify();
    if (play.accept.delayMs !== undefined) await this.wait(play.accept.delayMs);
    if (play.accept.reset === true) return void req.socket.resetAndDestroy();
    this.reply(res, 200, accepted);
  }

  /** A real timer: the answer is genuinely late, whatever the injected clock says (it dates the receipts). */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(timer);
        resolve();
      }, ms);
      this.waiting.set(timer, resolve);
    });
  }

  /** Posts the receipts of an accepted message: sent, delivered, read, or one `failed` (not on WhatsApp, armed). */
  private async notify(wamid: string, recipient: string, recipientUserId: string | undefined, callbackData: string | undefined, play: AcceptedPlay): Promise<void> {
    const url = this.options.webhookUrl;
    if (url === undefined) return;
    const failure = play.failure ?? ((this.options.notOnWhatsApp ?? []).includes(recipient) ? { code: 131026 } : undefined);
    const steps: Array<StatusUpdate['status']> = failure === undefined ? ['sent', 'delivered', 'read'] : ['failed'];
    for (const status of steps) {
      const update: StatusUpdate = {
        wamid,
        status,
        recipient,
        ...(recipientUserId === undefined ? {} : { recipientUserId }),
        at: this.options.clock.now(),
        ...(callbackData === undefined ? {} : { callbackData }),
        ...(failure === undefined ? {} : { error: failure }),
      };
      const outcome = await postWebhook(url, statusPayload(update, this.ids), this.options.appSecret);
      this.options.onWebhook?.(update, outcome);
    }
  }

  private templates(url: URL, res: ServerResponse): void {
    const all = this.options.templates ?? SANDBOX_TEMPLATES;
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 25) || 25, this.options.templatesPageSize ?? 3);
    const start = Number(url.searchParams.get('after') ?? 0) || 0;
    const data = all.slice(start, start + limit);
    const after = String(start + data.length);
    const paging: Record<string, unknown> = { cursors: { before: String(start), after } };
    if (start + data.length < all.length) paging.next = `${url.origin}${url.pathname}?limit=${limit}&after=${after}`;
    this.reply(res, 200, { data, paging });
  }
}
