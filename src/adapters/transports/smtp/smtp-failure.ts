import type { DeliveryFailure } from '../../../core/transport.js';

/** What nodemailer puts on its errors (lib/errors.js): a string code, the SMTP reply and the command it answered. */
interface SmtpError {
  readonly code?: string;
  readonly responseCode?: number;
  readonly command?: string;
  readonly response?: string;
  readonly message?: string;
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * Classifies an SMTP failure (issues 4 and 6): 421 and 451 → rate-limit (never a failed recipient); other 4xx → transient; 5xx on a recipient (RCPT TO, or DATA for our one-recipient
 * messages) → recipient; authentication → fatal; the sender refused → fatal; no connection → transient.
 * `hide` removes secrets (the SMTP password) from what is shown.
 */
export function failureFromSmtp(error: unknown, hide: (text: string) => string): DeliveryFailure {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SmtpError;
  const reply = e.response ?? e.message ?? 'no details';
  const said = hide(reply.replace(/\s+/g, ' ').trim().slice(0, 300));
  const providerCode = e.responseCode === undefined ? e.code : String(e.responseCode);
  const failure = (kind: DeliveryFailure['kind'], code: string, reason: string): DeliveryFailure => ({
    kind,
    code,
    reason,
    detail: `server: ${said}`,
    ...(providerCode === undefined ? {} : { providerCode }),
  });
  if (e.code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 534 || e.responseCode === 530) {
    return failure('fatal', 'SMTP_AUTH_FAILED', 'the SMTP server refused the user name or password — fix CANALE_SMTP_URL');
  }
  if (e.code === 'ETLS') return failure('fatal', 'SMTP_TLS', 'the TLS handshake with the SMTP server failed — check the URL (smtps:// for port 465, smtp:// for 587)');
  const status = e.responseCode ?? 0;
  // 421 (service not available, closing) and 451 (local error, try later) are how relays say "too fast" (issue 6)
  if (status === 421 || status === 451) return failure('rate-limit', 'SMTP_THROTTLED', 'the SMTP server asked to slow down; the message will be retried');
  if (status >= 400 && status < 500) return failure('transient', 'SMTP_TEMPORARY', 'the SMTP server deferred the message; it will be retried');
  if (status >= 500 && status < 600) {
    const command = (e.command ?? '').toUpperCase();
    if (command.startsWith('MAIL')) return failure('fatal', 'SMTP_SENDER_REJECTED', 'the SMTP server refused the sender — check CANALE_EMAIL_FROM');
    return failure('recipient', 'SMTP_MAILBOX_REJECTED', 'the mailbox refused the message');
  }
  if (e.code !== undefined && CONNECTION_CODES.has(e.code)) {
    const what = e.code === 'ETIMEDOUT' ? 'SMTP_TIMEOUT' : 'SMTP_UNREACHABLE';
    return failure('transient', what, e.code === 'ETIMEDOUT' ? 'the SMTP server did not answer in time' : 'cannot connect to the SMTP server');
  }
  return failure('transient', 'SMTP_ERROR', 'the SMTP send failed');
}
