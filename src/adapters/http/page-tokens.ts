import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeCanonical } from '../unsubscribe-links.js';

/** What a token is for: a token made for one purpose is never read as another's. */
export type TokenPurpose = 'signup-form' | 'signup-confirm';

const mac = (secret: string, purpose: TokenPurpose, payload: string): Buffer =>
  createHmac('sha256', secret).update(`canale-${purpose}-v1:${payload}`).digest().subarray(0, 16);

/**
 * A token `payload.signature` for the sign-up pages: the payload is `value|expiresMs` in base64url, the signature 128
 * bits of HMAC-SHA256 with `unsubscribeSecret` over the purpose and the payload. `value` holds no `|`.
 */
export function signToken(secret: string, purpose: TokenPurpose, value: string, expiresMs: number): string {
  const payload = Buffer.from(`${value}|${expiresMs}`, 'utf8').toString('base64url');
  return `${payload}.${mac(secret, purpose, payload).toString('base64url')}`;
}

/**
 * The value a token was made with for `purpose`, `expired` when it was but its time has passed, undefined when it
 * was not made with this secret for this purpose (or altered in any way: both parts must be canonical base64url).
 */
export function readToken(secret: string, purpose: TokenPurpose, token: string, nowMs: number): { readonly value: string; readonly expiresMs: number } | 'expired' | undefined {
  const [payload, signature, extra] = token.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined || secret === '') return undefined;
  const text = decodeCanonical(payload)?.toString('utf8');
  const given = decodeCanonical(signature);
  if (text === undefined || given === undefined || given.length !== 16 || !timingSafeEqual(given, mac(secret, purpose, payload))) return undefined;
  const [value = '', expires = '', more] = text.split('|');
  if (value === '' || more !== undefined || !/^\d{1,15}$/.test(expires)) return undefined;
  return Number(expires) <= nowMs ? 'expired' : { value, expiresMs: Number(expires) };
}
