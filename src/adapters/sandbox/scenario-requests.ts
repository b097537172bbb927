import { toE164 } from '../../core/phone.js';
import { BSUID_FORM } from '../../core/whatsapp-identity.js';
import type { Scenario } from './scenarios.js';

/** A problem with a control request's body, said so the person typing the curl can fix it. */
export interface BadRequest {
  readonly problem: string;
}

export const isBadRequest = (value: unknown): value is BadRequest => typeof value === 'object' && value !== null && 'problem' in value;

const USER_ID_EXAMPLE = 'US.13491208655302741918';

/**
 * A number or a user id as the sandbox keys it: a user id (Meta's form) as written, a number as the digits of its
 * E.164 form, read in `country` as canale reads subscribers' numbers ("333 123 4567" is +39 333 123 4567 in IT).
 */
export function readAddress(value: unknown, field: string, country: string): string | BadRequest {
  if (typeof value !== 'string' || value.trim() === '') return { problem: `"${field}" is required: a phone number such as "+39 333 123 4567" or a user id such as ${USER_ID_EXAMPLE}` };
  if (BSUID_FORM.test(value.trim())) return value.trim();
  const phone = toE164(value, country);
  if (phone === undefined) return { problem: `"${field}" (${value}) is neither a phone number nor a user id such as ${USER_ID_EXAMPLE}` };
  return phone.slice(1);
}

/** A phone number as the digits Graph writes (`from`, `wa_id`), read in `country`; or the problem. */
export function readPhone(value: unknown, field: string, country: string): string | BadRequest {
  const phone = typeof value === 'string' ? toE164(value, country) : undefined;
  if (phone !== undefined) return phone.slice(1);
  const hint = typeof value === 'string' && BSUID_FORM.test(value) ? ': a user id goes in "userId"' : '';
  return { problem: `"${field}" (${String(value)}) is not a phone number such as "+39 333 123 4567"${hint}` };
}

/** A business-scoped user id in Meta's form, or the problem. */
export function readUserId(value: unknown, field: string): string | BadRequest {
  if (typeof value === 'string' && BSUID_FORM.test(value)) return value;
  return { problem: `"${field}" (${String(value)}) is not a business-scoped user id such as ${USER_ID_EXAMPLE}` };
}

/** A non-empty string, or the problem; undefined when absent and optional. */
export function readText(value: unknown, field: string, required = false): string | undefined | BadRequest {
  if (value === undefined && !required) return undefined;
  return typeof value === 'string' && value !== '' ? value : { problem: `"${field}" is ${required ? 'required, ' : ''}a non-empty string` };
}

function readCount(value: unknown, field: string, min: number, max: number, fallback?: number): number | undefined | BadRequest {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return { problem: `"${field}" is a whole number from ${min} to ${max}` };
  return value;
}

export const readCode = (value: unknown): number | BadRequest =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : { problem: '"code" is a Graph error code, a whole number such as 131048' };

/** The fields of a body, each read or the first problem; `undefined` values are left out. */
export function collect<T extends object>(fields: { [K in keyof T]: T[K] | BadRequest | undefined }): T | BadRequest {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (isBadRequest(value)) return value;
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

const MAX_TIMES = 1_000_000;
const MAX_MS = 10 * 60_000;

/**
 * A control request's body as the situation it arms (`POST /sandbox/pair-limit`, `/error`, `/failed-receipt`, `/slow`,
 * `/reset`), or what is wrong with it. The command's flags are read through the same function.
 */
export function readScenario(kind: Scenario['kind'], body: unknown, country: string): Scenario | BadRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problem: 'the body is a JSON object, such as {"to":"+39 333 123 4567"}' };
  const b = body as Record<string, unknown>;
  const to = () => readAddress(b.to, 'to', country);
  switch (kind) {
    case 'pair-limit':
      return collect({ kind, to: to(), times: readCount(b.times, 'times', 1, MAX_TIMES, 1) }) as Scenario | BadRequest;
    case 'error':
      return collect({
        kind,
        code: readCode(b.code),
        to: b.to === undefined ? undefined : to(),
        times: readCount(b.times, 'times', 1, MAX_TIMES),
        details: readText(b.details, 'details'),
        http: readCount(b.http, 'http', 400, 599),
      }) as Scenario | BadRequest;
    case 'failed-receipt':
      return collect({ kind, to: to(), code: readCode(b.code), times: readCount(b.times, 'times', 1, MAX_TIMES), details: readText(b.details, 'details') }) as Scenario | BadRequest;
    case 'slow':
      if (b.ms === undefined) return { problem: '"ms" is required: how long the answer waits, in milliseconds' };
      return collect({ kind, to: to(), ms: readCount(b.ms, 'ms', 0, MAX_MS), times: readCount(b.times, 'times', 1, MAX_TIMES, 1) }) as Scenario | BadRequest;
    case 'reset':
      return collect({ kind, to: to(), times: readCount(b.times, 'times', 1, MAX_TIMES, 1) }) as Scenario | BadRequest;
    default: {
      const never: never = kind;
      return { problem: `unknown situation ${String(never)}` };
    }
  }
}
