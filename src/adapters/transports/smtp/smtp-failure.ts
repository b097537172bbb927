import type { DeliveryFailure, FailureKind } from '../../../core/transport.js';

/** What nodemailer puts on its errors (lib/errors.js): a string code, the SMTP reply and the command it answered. */
interface SmtpError {
  readonly code?: string;
  readonly responseCode?: number;
  readonly command?: string;
  readonly response?: string;
  readonly message?: string;
}

/** An SMTP reply as a rule reads it: the basic code, the enhanced status code (RFC 3463) and the words. */
interface SmtpReply {
  readonly status: number;
  /** `5.7.26`, from the reply text; '' when the server gives none. */
  readonly enhanced: string;
  readonly text: string;
  /** The command it answered (`MAIL FROM`, `RCPT TO`, `DATA`, `AUTH PLAIN`…), upper case. */
  readonly command: string;
  /** nodemailer's own code (`EAUTH`, `ETLS`, `ECONNECTION`…). */
  readonly code: string;
}

interface SmtpRule {
  readonly when: (reply: SmtpReply) => boolean;
  readonly kind: FailureKind;
  readonly code: string;
  readonly reason: string;
  readonly retryAfterMs?: number;
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** The sender's domain is not authenticated (SPF, DKIM, DMARC) — Gmail's 5.7.26, Yahoo's and Microsoft's 5.7.1/5.7.9 with those words. */
const AUTHENTICATION_WORDS = /\b(DMARC|SPF|DKIM|unauthenticated|not authenticated|authentication (?:check|fail)|sender policy)\b/i;
/** Greylisting (postgrey, Postfix policy servers, Exim's greylistd): "try again later", for this recipient only. */
const GREYLISTING_WORDS = /\b(gr[ae]y-?list(?:ed|ing)?)\b/i;

const GREYLIST_RETRY_MS = 5 * 60_000;

/**
 * The SMTP replies canale tells apart, in order: the first rule that matches decides (DESIGN §7.4). Sender problems
 * (authentication, SPF/DKIM/DMARC, the From refused) stop the send, since every recipient would get them; a
 * greylisting server defers only that recipient; 421 is the server saying "slow down" to the whole channel.
 */
const SMTP_RULES: readonly SmtpRule[] = [
  { when: (r) => r.code === 'EAUTH' || [530, 534, 535].includes(r.status), kind: 'fatal', code: 'SMTP_AUTH_FAILED', reason: 'the SMTP server refused the user name or password — fix CANALE_SMTP_URL' },
  { when: (r) => r.code === 'ETLS', kind: 'fatal', code: 'SMTP_TLS', reason: 'the TLS handshake with the SMTP server failed — check the URL (smtps:// for port 465, smtp:// for 587)' },
  {
    when: (r) => r.status >= 500 && (['5.7.23', '5.7.25', '5.7.26', '5.7.27'].includes(r.enhanced) || (/^5\.7\.(1|9)$/.test(r.enhanced) && AUTHENTICATION_WORDS.test(r.text))),
    kind: 'fatal',
    code: 'SMTP_SENDER_UNAUTHENTICATED',
    reason: 'the receiving server refused the mail as unauthenticated (SPF, DKIM or DMARC of the From domain) — sign it (email.dkim.*), publish SPF and DMARC for the domain, then resume',
  },
  { when: (r) => r.status >= 500 && r.command.startsWith('MAIL'), kind: 'fatal', code: 'SMTP_SENDER_REJECTED', reason: 'the SMTP server refused the sender — check CANALE_EMAIL_FROM' },
  { when: (r) => r.status === 421, kind: 'rate-limit', code: 'SMTP_THROTTLED', reason: 'the SMTP server asked to slow down; the message will be retried' },
  {
    when: (r) => (r.status === 450 || r.status === 451) && (r.enhanced.startsWith('4.7.') || GREYLISTING_WORDS.test(r.text)),
    kind: 'deferred',
    code: 'SMTP_GREYLISTED',
    reason: 'the receiving server deferred this recipient (greylisting); canale tries them again in a few minutes',
    retryAfterMs: GREYLIST_RETRY_MS,
  },
  { when: (r) => r.status >= 400 && r.status < 500, kind: 'transient', code: 'SMTP_TEMPORARY', reason: 'the SMTP server deferred the message; it will be retried' },
  { when: (r) => r.status >= 500 && r.status < 600, kind: 'recipient', code: 'SMTP_MAILBOX_REJECTED', reason: 'the mailbox refused the message' },
  { when: (r) => r.code === 'ETIMEDOUT', kind: 'transient', code: 'SMTP_TIMEOUT', reason: 'the SMTP server did not answer in time' },
  { when: (r) => CONNECTION_CODES.has(r.code), kind: 'transient', code: 'SMTP_UNREACHABLE', reason: 'cannot connect to the SMTP server' },
];

/** The enhanced status code of a reply (`550-5.7.26 This mail…` → `5.7.26`), or ''. */
function enhancedOf(text: string): string {
  return /(?:^|[\s-])([245]\.\d{1,3}\.\d{1,3})(?=\s|$)/.exec(text)?.[1] ?? '';
}

/**
 * Classifies an SMTP failure by the first matching rule of SMTP_RULES; anything else is `transient` and
 * `unclassified`. `hide` removes secrets (the SMTP password) from what is shown; `greylistRetryMs`
 * (`email.greylistRetrySeconds`) is how long a greylisted recipient waits before their first new try.
 */
export function failureFromSmtp(error: unknown, hide: (text: string) => string, options: { readonly greylistRetryMs?: number } = {}): DeliveryFailure {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SmtpError;
  const text = (e.response ?? e.message ?? 'no details').replace(/\s+/g, ' ').trim();
  const reply: SmtpReply = { status: e.responseCode ?? 0, enhanced: enhancedOf(text), text, command: (e.command ?? '').toUpperCase(), code: e.code ?? '' };
  const providerCode = e.responseCode === undefined ? e.code : String(e.responseCode);
  const rule = SMTP_RULES.find((r) => r.when(reply));
  return {
    kind: rule?.kind ?? 'transient',
    code: rule?.code ?? 'SMTP_ERROR',
    reason: rule?.reason ?? 'the SMTP send failed',
    detail: `server: ${hide(text.slice(0, 300))}`,
    ...(providerCode === undefined || providerCode === '' ? {} : { providerCode }),
    ...(rule?.retryAfterMs === undefined ? {} : { retryAfterMs: rule.code === 'SMTP_GREYLISTED' ? (options.greylistRetryMs ?? rule.retryAfterMs) : rule.retryAfterMs }),
    ...(rule === undefined && e.responseCode !== undefined ? { unclassified: true } : {}),
  };
}

/** Every code a rule gives, for tests and the report's words. */
export const SMTP_RULE_CODES: readonly string[] = SMTP_RULES.map((r) => r.code);
