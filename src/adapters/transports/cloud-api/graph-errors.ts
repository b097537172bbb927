import type { DeliveryFailure, FailureKind } from '../../../core/transport.js';

/** What canale does with one Graph error code (reference §2.3): the kind the core acts on, a stable code, advice. */
interface GraphErrorRule {
  readonly kind: FailureKind;
  readonly code: string;
  readonly reason: string;
  readonly retryAfterMs?: number;
}

const TOKEN: GraphErrorRule = {
  kind: 'fatal',
  code: 'WHATSAPP_TOKEN_INVALID',
  reason: 'the access token was refused (expired or revoked) — renew it and set CANALE_WHATSAPP_TOKEN or: canale config set whatsapp.token TOKEN',
};
const PERMISSION: GraphErrorRule = {
  kind: 'fatal',
  code: 'WHATSAPP_PERMISSION',
  reason: 'the token lacks a permission — give the system user whatsapp_business_messaging and whatsapp_business_management',
};
const APP_RATE: GraphErrorRule = { kind: 'rate-limit', code: 'WHATSAPP_API_RATE_LIMIT', reason: 'the app or account reached its API call limit', retryAfterMs: 60_000 };
const UNAVAILABLE: GraphErrorRule = { kind: 'transient', code: 'WHATSAPP_UNAVAILABLE', reason: 'the Cloud API is temporarily unavailable' };
const BAD_REQUEST: GraphErrorRule = {
  kind: 'fatal',
  code: 'WHATSAPP_BAD_REQUEST',
  reason: 'the Cloud API refused the request as malformed — this is likely a bug in canale or an unsupported message; report it',
};
const BLOCKED: GraphErrorRule = { kind: 'fatal', code: 'WHATSAPP_ACCOUNT_BLOCKED', reason: 'the business account is blocked or locked — check WhatsApp Manager' };

/** Reference §2.3, code by code. Anything not listed is `transient` (WHATSAPP_ERROR). */
const RULES: ReadonlyMap<number, GraphErrorRule> = new Map<number, GraphErrorRule>([
  [0, TOKEN],
  [190, TOKEN],
  [3, PERMISSION],
  [10, PERMISSION],
  [131005, PERMISSION],
  [4, APP_RATE],
  [80007, APP_RATE],
  [130429, { kind: 'rate-limit', code: 'WHATSAPP_THROUGHPUT', reason: 'the phone number reached its messages-per-second limit', retryAfterMs: 1_000 }],
  // the account, not one citizen: retrying recipient after recipient for hours would only look like a hang
  [131048, { kind: 'fatal', code: 'WHATSAPP_SPAM_RATE_LIMIT', reason: 'the number is restricted for low quality: check the quality rating in WhatsApp Manager, then resume' }],
  // one citizen only (one message every 6 s to the same user): that citizen waits, the rest go on at full rate
  [131056, { kind: 'deferred', code: 'WHATSAPP_PAIR_RATE_LIMIT', reason: 'too many messages to this citizen in a short time (one every 6 seconds)', retryAfterMs: 6_000 }],
  [131057, { kind: 'transient', code: 'WHATSAPP_MAINTENANCE', reason: 'the business account is in maintenance mode for about a minute', retryAfterMs: 60_000 }],
  [368, BLOCKED],
  [131031, BLOCKED],
  [131042, { kind: 'fatal', code: 'WHATSAPP_PAYMENT', reason: 'a business eligibility or payment-method problem — check billing in WhatsApp Manager' }],
  [131045, { kind: 'fatal', code: 'WHATSAPP_CERTIFICATE', reason: 'the phone number registration is incomplete (certificate) — register the number again' }],
  [133010, { kind: 'fatal', code: 'WHATSAPP_NUMBER_NOT_REGISTERED', reason: 'the sending phone number is not registered on the Cloud API — register it, or check CANALE_WHATSAPP_PHONE_NUMBER_ID' }],
  [1, { kind: 'transient', code: 'WHATSAPP_API_UNKNOWN', reason: 'the Cloud API reported an unknown error' }],
  [2, UNAVAILABLE],
  [131016, UNAVAILABLE],
  [133004, UNAVAILABLE],
  [131000, { kind: 'transient', code: 'WHATSAPP_SOMETHING_WENT_WRONG', reason: 'the Cloud API failed for an unknown reason' }],
  [100, BAD_REQUEST],
  [131008, BAD_REQUEST],
  [131051, BAD_REQUEST],
  [131053, { kind: 'fatal', code: 'WHATSAPP_MEDIA', reason: 'the Cloud API could not fetch or upload the media — check the media link or id' }],
  // about the message (a parameter, a media link), not the number: the next recipient would get it too
  [131009, { kind: 'fatal', code: 'WHATSAPP_INVALID_PARAMETER', reason: 'a value in the message is not valid — fix the message file, then resume' }],
  [131047, { kind: 'recipient', code: 'WHATSAPP_OUTSIDE_WINDOW', reason: 'free text is only allowed within 24 hours of the citizen writing to you — send an approved template instead' }],
  [132000, { kind: 'fatal', code: 'WHATSAPP_TEMPLATE_PARAMS', reason: "the number of parameters does not match the template — compare with: canale templates list" }],
  [132001, { kind: 'fatal', code: 'WHATSAPP_TEMPLATE_NOT_FOUND', reason: 'no approved template with that name in that language — check: canale templates sync && canale templates list' }],
  [132005, { kind: 'recipient', code: 'WHATSAPP_TEXT_TOO_LONG', reason: 'the template with its parameters filled in is too long — shorten the parameters' }],
  [132007, { kind: 'fatal', code: 'WHATSAPP_FORMAT_POLICY', reason: 'the content breaks WhatsApp’s formatting policy — change the text' }],
  [132012, { kind: 'fatal', code: 'WHATSAPP_PARAM_FORMAT', reason: 'the parameters do not match the template’s format (named or positional) — compare with: canale templates list' }],
  [132015, { kind: 'fatal', code: 'WHATSAPP_TEMPLATE_PAUSED', reason: 'the template is paused for low quality — wait until it is active again or use another template' }],
  [132016, { kind: 'fatal', code: 'WHATSAPP_TEMPLATE_DISABLED', reason: 'the template was disabled for low quality — create a new template' }],
  [132018, { kind: 'recipient', code: 'WHATSAPP_PARAM_TEXT', reason: 'a parameter is empty or has a line break, a tab or more than four spaces in a row' }],
  [131026, { kind: 'recipient', code: 'WHATSAPP_UNDELIVERABLE', reason: 'the number cannot receive this message (not on WhatsApp, old app, or it blocked the city)' }],
  [131021, { kind: 'recipient', code: 'WHATSAPP_RECIPIENT_IS_SENDER', reason: 'the recipient is the sending number itself' }],
  [131049, { kind: 'recipient', code: 'WHATSAPP_MARKETING_LIMIT', reason: 'not delivered to keep engagement healthy (per-user marketing limit) — do not resend within 24 hours' }],
  [131050, { kind: 'recipient', code: 'WHATSAPP_MARKETING_STOPPED', reason: 'the citizen stopped marketing messages from the city' }],
  [130472, { kind: 'recipient', code: 'WHATSAPP_EXPERIMENT', reason: "the number is part of a Meta experiment and gets no marketing messages" }],
  [130497, { kind: 'recipient', code: 'WHATSAPP_COUNTRY_RESTRICTED', reason: "the business may not message users in this citizen's country" }],
]);

/** 131009 whose details name who the message is for: that recipient's number or user id, not the message. */
const INVALID_RECIPIENT: GraphErrorRule = { kind: 'recipient', code: 'WHATSAPP_INVALID_VALUE', reason: 'WhatsApp says the number or user id of this recipient is not valid' };
const NAMES_RECIPIENT = /(^|[^\w])("?to"?|"?recipient"?|phone number|user id|wa_id)([^\w]|$)/i;

function ruleFor(code: number, details: string | undefined): GraphErrorRule | undefined {
  // 200–299: permission not granted or removed (reference §2.3)
  if (code >= 200 && code <= 299) return PERMISSION;
  if (code === 131009 && details !== undefined && NAMES_RECIPIENT.test(details)) return INVALID_RECIPIENT;
  return RULES.get(code);
}

/** The Graph error object (§2.1) as far as canale reads it. */
export interface GraphError {
  readonly code: number;
  readonly message?: string;
  /** `error_data.details`: for 131009, which parameter is wrong. */
  readonly details?: string;
}

/**
 * Turns a Graph error into a DeliveryFailure by `error.code` alone (never the HTTP status or the text, which Meta
 * says will change). `hide` removes secrets from the provider's message before it is shown. A code with no rule is
 * `transient` and `unclassified`: the core stops when recipient after recipient gets the same one.
 */
export function failureFromGraph(error: GraphError, hide: (text: string) => string): DeliveryFailure {
  const rule = ruleFor(error.code, error.details);
  const said = [error.message, error.details].filter((t): t is string => t !== undefined && t !== '').map((t) => hide(t).slice(0, 300));
  const reason =
    rule === undefined
      ? `the Cloud API answered with error ${error.code}, which canale does not know`
      : error.code === 131009 && error.details !== undefined
        ? `${rule.reason.replace(' — ', ` (Meta says: ${hide(error.details).slice(0, 200)}) — `)}`
        : rule.reason;
  return {
    kind: rule?.kind ?? 'transient',
    code: rule?.code ?? 'WHATSAPP_ERROR',
    reason,
    ...(said.length === 0 ? {} : { detail: `Graph: ${said.join(' — ')}` }),
    providerCode: String(error.code),
    ...(rule?.retryAfterMs === undefined ? {} : { retryAfterMs: rule.retryAfterMs }),
    ...(rule === undefined ? { unclassified: true } : {}),
  };
}

/** Every code with a rule, for tests and documentation. */
export const KNOWN_GRAPH_CODES: readonly number[] = [...RULES.keys(), 200, 299];
