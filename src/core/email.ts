import { CanaleError } from './errors.js';

/** An e-mail address, trimmed, with its domain in lower case. */
export type Email = string & { readonly __brand: 'Email' };

// Pragmatic, not RFC 5322: one @, no spaces or control characters, a dotted domain of letters, digits and dashes.
const LOCAL = /^[^\s@"<>(),;:\\[\]]+$/;
const DOMAIN = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

/** Normalises an address, or returns undefined when it is not one. */
export function toEmail(text: string): Email | undefined {
  const trimmed = text.trim().replace(/^mailto:/i, '');
  if (trimmed.length > 254) return undefined;
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at !== trimmed.indexOf('@')) return undefined;
  const local = trimmed.slice(0, at);
  const written = trimmed.slice(at + 1);
  const domain = written.toLowerCase();
  if (local.length > 64 || !LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return undefined;
  }
  if (!DOMAIN.test(domain)) return undefined;
  // most addresses are written in their normal form: the text itself, not a copy joined from its parts
  return (domain === written ? trimmed : `${local}@${domain}`) as Email;
}

/** As `toEmail`, but a value that is not an address is a user error that quotes it. */
export function normalizeEmail(text: string): Email {
  const email = toEmail(text);
  if (email === undefined) {
    throw new CanaleError('EMAIL_INVALID', `"${text}" is not a valid e-mail address — write it like nome@example.it`);
  }
  return email;
}

// the address last asked for, with its key: a subscriber's insert asks for it twice (its conflict check, then its lookups)
let lastEmail = '';
let lastKey = '';

/** The key two addresses are compared by: the same mailbox whatever the case. */
export function emailKey(email: string): string {
  if (email !== lastEmail) {
    lastEmail = email;
    lastKey = email.toLowerCase();
  }
  return lastKey;
}
