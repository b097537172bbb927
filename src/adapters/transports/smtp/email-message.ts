import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { CanaleError } from '../../../core/errors.js';
import type { EmailEnvelope } from '../../../core/transport.js';
import { headerLine, phraseAtoms, quotedPrintable, unstructuredAtoms } from './mime-encoding.js';

/** The From of the e-mails, read once from `email.from` ("Comune di Esempio <avvisi@comune.example.it>"). */
export interface Sender {
  readonly name?: string;
  /** The address, its domain in ASCII (punycode): the SMTP envelope's MAIL FROM. */
  readonly address: string;
  readonly domain: string;
}

/** An address with its domain in ASCII (an IDN domain as punycode), as headers and the SMTP envelope carry it. */
export function asciiAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = domainToASCII(address.slice(at + 1));
  return `${address.slice(0, at)}@${domain === '' ? address.slice(at + 1) : domain}`;
}

/** `email.from` as a sender; a value that holds no single address is a setting to fix. */
export function senderOf(from: string): Sender {
  const parsed = addressparser(from, { flatten: true });
  const found = parsed.length === 1 ? parsed[0] : undefined;
  if (found === undefined || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(found.address)) {
    throw new CanaleError('CONFIG_VALUE_INVALID', `email.from: "${from}" is not one address — write it like: Comune di Esempio <avvisi@comune.example.it>`);
  }
  const address = asciiAddress(found.address);
  return { ...(found.name === '' ? {} : { name: found.name }), address, domain: address.slice(address.lastIndexOf('@') + 1).toLowerCase() };
}

/** `<campaign.recipient@domain>`: the same for the same campaign and recipient, so a resend is recognisable. */
export function messageIdFor(envelope: EmailEnvelope, sender: Sender): string {
  const safe = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '_');
  return `<${safe(envelope.campaignId ?? 'test')}.${safe(envelope.recipientKey)}@${sender.domain}>`;
}

/**
 * RFC 2919 List-Id: the description, then `<topic.domain-of-From>` (`<raccolta-differenziata.comune.example.it>`),
 * so a citizen's mail program can file and filter each topic; the list id is cut to RFC 2919's 255 characters.
 */
export function listIdAtoms(list: NonNullable<EmailEnvelope['list']>, sender: Sender): string[] {
  const label = list.id.replace(/[^A-Za-z0-9-]/g, '-').slice(0, Math.max(1, 254 - sender.domain.length));
  return [...phraseAtoms(list.name), `<${label}.${sender.domain}>`];
}

/** `Name <address>`, or the bare address when there is no name (as nodemailer writes it). */
const mailbox = (name: string | undefined, address: string): string[] => (name === undefined || name === '' ? [address] : [...phraseAtoms(name), `<${address}>`]);

/** RFC 5322 date-time in UTC: `Sat, 28 Nov 2026 09:00:00 +0000`. */
const dateOf = (now: Date): string => now.toUTCString().replace(/GMT$/, '+0000');

/**
 * The whole RFC 5322 message for an envelope, as the bytes that go after SMTP DATA: From, To, a UTF-8 Subject
 * (encoded-words when needed), Date, a stable Message-ID, List-Id, RFC 8058 one-click unsubscribe headers when a
 * link is given, and the text and HTML as quoted-printable alternatives. Built in one pass into one buffer — no
 * line over 998 octets, whatever the subject, names or link — so the transport writes it in one go.
 */
export function composeEmail(envelope: EmailEnvelope, sender: Sender, now: Date): Buffer {
  const messageId = messageIdFor(envelope, sender);
  // quoted-printable never writes "=_", so a boundary starting with it cannot occur in either part
  const boundary = `=_canale_${createHash('sha256').update(messageId).digest('hex').slice(0, 24)}`;
  const headers = [
    headerLine('From', mailbox(sender.name, sender.address)),
    headerLine('To', mailbox(envelope.toName, asciiAddress(envelope.to))),
    headerLine('Subject', unstructuredAtoms(envelope.subject)),
    `Date: ${dateOf(now)}`,
    headerLine('Message-ID', [messageId]),
    'MIME-Version: 1.0',
  ];
  if (envelope.list !== undefined) headers.push(headerLine('List-Id', listIdAtoms(envelope.list, sender)));
  if (envelope.unsubscribeUrl !== undefined) {
    headers.push(headerLine('List-Unsubscribe', [`<${envelope.unsubscribeUrl}>`]), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  }
  headers.push(headerLine('Content-Type', ['multipart/alternative;', `boundary="${boundary}"`]));
  const part = (type: string): string => `--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`;
  return Buffer.concat([
    Buffer.from(`${headers.join('\r\n')}\r\n\r\n${part('text/plain')}`, 'utf8'),
    quotedPrintable(envelope.text),
    Buffer.from(`\r\n${part('text/html')}`, 'latin1'),
    quotedPrintable(envelope.html),
    Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'),
  ]);
}
