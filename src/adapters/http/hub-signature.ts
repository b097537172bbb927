import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex HMAC-SHA256 of the raw body with the app secret>`: the X-Hub-Signature-256 header (reference §4.2). */
export function signatureOf(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/**
 * Whether `header` is the signature of the raw bytes as received, compared in constant time. The bytes are never
 * re-serialised: Meta signs its own escaped-unicode form, which a parse-and-stringify would change.
 */
export function hasValidSignature(raw: Buffer, header: string | undefined, appSecret: string): boolean {
  const given = header?.trim().toLowerCase();
  if (given === undefined || !given.startsWith('sha256=')) return false;
  return isSameSecret(given, signatureOf(raw, appSecret));
}

/** Compares a given secret (a signature, a verify token) with the expected one in constant time. */
export function isSameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
