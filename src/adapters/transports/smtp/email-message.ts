import type Mail from 'nodemailer/lib/mailer/index.js';
import type { EmailEnvelope } from '../../../core/transport.js';

/** The domain of the From address, for Message-IDs. */
function domainOf(from: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'canale.invalid';
}

/** `<campaign.recipient@domain>`: the same for the same campaign and recipient, so a resend is recognisable. */
export function messageIdFor(envelope: EmailEnvelope, from: string): string {
  const safe = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '_');
  return `<${safe(envelope.campaignId ?? 'test')}.${safe(envelope.recipientKey)}@${domainOf(from)}>`;
}

/**
 * nodemailer's message for an envelope: From, To, a UTF-8 Subject (encoded-word when needed), Date, a stable
 * Message-ID, text and HTML alternatives, and RFC 8058 one-click unsubscribe headers when a link is given.
 */
export function mailFor(envelope: EmailEnvelope, from: string, now: Date): Mail.Options {
  const headers: Record<string, string> = {};
  if (envelope.unsubscribeUrl !== undefined) {
    headers['List-Unsubscribe'] = `<${envelope.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    from,
    to: envelope.toName === undefined ? envelope.to : { name: envelope.toName, address: envelope.to },
    subject: envelope.subject,
    date: now,
    messageId: messageIdFor(envelope, from),
    text: envelope.text,
    html: envelope.html,
    headers,
    textEncoding: 'quoted-printable',
  };
}
