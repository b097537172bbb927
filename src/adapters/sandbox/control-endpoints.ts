import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/ports.js';
import { readIdentityChange, readInbound, readPreference } from './citizen-requests.js';
import { isBadRequest, readCode, readScenario, readText, type BadRequest } from './scenario-requests.js';
import type { Scenario, Scenarios } from './scenarios.js';
import { accountErrorPayload, inboundPayload, type WebhookIds } from './status-webhooks.js';
import { identityChangePayload, preferencePayload } from './user-webhooks.js';

/** What the control endpoints need from the stand-in they belong to. */
export interface ControlHost {
  readonly scenarios: Scenarios;
  readonly clock: Clock;
  readonly ids: WebhookIds;
  /** How numbers written without a prefix are read (canale's `country`). */
  readonly country: string;
  /** Signs and POSTs a payload to --webhook-url, resolving to how that went; undefined without a --webhook-url. */
  post(payload: unknown): Promise<string> | undefined;
  /** The sender wrote: free text to them is allowed for 24 hours. */
  openWindow(key: string): void;
  /** The wamid of the last message the sandbox accepted for one of these keys: what an interactive reply answers. */
  lastSentTo(keys: readonly string[]): string | undefined;
  /** `GET /sandbox/received`. */
  received(): unknown;
}

/** An answer to a control request: always JSON. */
export interface ControlAnswer {
  readonly status: number;
  readonly body: unknown;
}

const SITUATIONS: ReadonlySet<string> = new Set<Scenario['kind']>(['pair-limit', 'error', 'failed-receipt', 'slow', 'reset']);
const newWamid = (): string => `wamid.${randomBytes(18).toString('base64url')}`;
const bad = (problem: BadRequest): ControlAnswer => ({ status: 400, body: { error: problem.problem } });

const ENDPOINTS =
  'GET /sandbox/received, GET|DELETE /sandbox/scenarios, POST /sandbox/pair-limit|error|failed-receipt|slow|reset, DELETE /sandbox/error, ' +
  'POST /sandbox/inbound|number-change|preferences|account-error';

/** Posts a made-up webhook, or says there is nowhere to post it. */
async function posted(host: ControlHost, payload: unknown, id?: string): Promise<ControlAnswer> {
  const outcome = host.post(payload);
  if (outcome === undefined) return { status: 409, body: { error: 'the sandbox has no --webhook-url to post the webhook to: start it with --webhook-url http://127.0.0.1:8080/webhooks/whatsapp' } };
  return { status: 200, body: { ...(id === undefined ? {} : { id }), webhook: await outcome } };
}

async function postInbound(body: unknown, host: ControlHost): Promise<ControlAnswer> {
  const request = readInbound(body, host.country);
  if (isBadRequest(request)) return bad(request);
  const keys = [request.from, request.userId ?? ''].filter((k) => k !== '');
  for (const key of keys) host.openWindow(key);
  const answered = request.button !== undefined || request.reply !== undefined ? host.lastSentTo(keys) : undefined;
  const wamid = newWamid();
  const context = request.context ?? answered;
  return posted(host, inboundPayload({ ...request, wamid, at: host.clock.now(), ...(context === undefined ? {} : { context }) }, host.ids), wamid);
}

/**
 * The `/sandbox/...` endpoints (README, `canale sandbox`): situations armed for the next message requests, and
 * webhooks made up as a citizen's phone or Meta would cause them. Undefined for any other path.
 */
export async function answerControl(method: string, path: string, raw: string, host: ControlHost): Promise<ControlAnswer | undefined> {
  if (!path.startsWith('/sandbox/')) return undefined;
  const name = path.slice('/sandbox/'.length);
  if (method === 'GET' && name === 'received') return { status: 200, body: host.received() };
  if (method === 'GET' && name === 'scenarios') return { status: 200, body: { armed: host.scenarios.list() } };
  if (method === 'DELETE' && name === 'scenarios') return { status: 200, body: { cleared: host.scenarios.clear() } };
  if (method === 'DELETE' && name === 'error') return { status: 200, body: { cleared: host.scenarios.clear('error') } };
  if (method !== 'POST') return { status: 404, body: { error: `no ${method} ${path}: the sandbox answers ${ENDPOINTS}` } };
  let body: unknown;
  try {
    body = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    return { status: 400, body: { error: `the body is not JSON: send it as in curl -d '{"to":"+39 333 123 4567"}' …${path}` } };
  }
  if (SITUATIONS.has(name)) {
    const scenario = readScenario(name as Scenario['kind'], body, host.country);
    return isBadRequest(scenario) ? bad(scenario) : { status: 200, body: { armed: host.scenarios.arm(scenario) } };
  }
  switch (name) {
    case 'inbound':
      return postInbound(body, host);
    case 'number-change': {
      const change = readIdentityChange(body, host.country);
      if (isBadRequest(change)) return bad(change);
      const wamid = newWamid();
      return posted(host, identityChangePayload({ ...change, wamid, at: host.clock.now() }, host.ids), wamid);
    }
    case 'preferences': {
      const change = readPreference(body, host.country);
      return isBadRequest(change) ? bad(change) : posted(host, preferencePayload({ ...change, at: host.clock.now() }, host.ids));
    }
    case 'account-error': {
      const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      const code = readCode(b.code);
      const details = readText(b.details, 'details');
      if (isBadRequest(code)) return bad(code);
      if (isBadRequest(details)) return bad(details);
      return posted(host, accountErrorPayload({ code, ...(details === undefined ? {} : { details }) }, host.ids));
    }
    default:
      return { status: 404, body: { error: `no POST ${path}: the sandbox answers ${ENDPOINTS}` } };
  }
}
