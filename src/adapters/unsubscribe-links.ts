import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock, UnsubscribeLinks, UnsubscribeTarget } from '../core/ports.js';

const DAY_MS = 86_400_000;

/** How long a link lives (`unsubscribe.tokenDays`): a year of newsletters and some weeks more. */
export const DEFAULT_TOKEN_DAYS = 400;

/**
 * Links made before tokens carried their issue day (`id` or `id|topic`, signed without a version) are in e-mails
 * already sent: refusing them would break the unsubscribe link a citizen has in hand, so they are accepted until
 * this day — 400 days after the change, the life of a new token — and refused from then on.
 */
export const UNDATED_TOKENS_UNTIL = Date.UTC(2028, 0, 6);

/** base64url as Buffer writes it, and nothing else: Node's decoder also takes `=`, `+`, `/` and unused bits. */
export function decodeCanonical(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // a different string for the same bytes (its last character differing in the bits no byte uses) is not this token
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function sign(secret: string, payload: string, dated: boolean): Buffer {
  return createHmac('sha256', secret)
    .update(`${dated ? 'canale-unsubscribe-v2' : 'canale-unsubscribe'}:${payload}`)
    .digest()
    .subarray(0, 16);
}

/**
 * Links `{publicUrl}/u/{payload}.{signature}`: the payload is `subscriberId|topic|issueDay` in base64url (topic empty
 * for everything; the issue day counted in days since 1970 UTC), the signature 128 bits of HMAC-SHA256 with the
 * unsubscribe secret. A token is read only when both parts are canonical base64url, the signature matches, and it
 * is at most `tokenDays` old (else `expired`). Without a public URL or a secret there are no links, and the plan
 * says so.
 */
export function unsubscribeLinks(publicUrl: string | undefined, secret: string | undefined, clock: Clock, tokenDays = DEFAULT_TOKEN_DAYS): UnsubscribeLinks {
  return {
    urlFor(subscriberId, topic) {
      if (publicUrl === undefined || publicUrl === '' || secret === undefined || secret === '') return undefined;
      const day = Math.floor(clock.now().getTime() / DAY_MS);
      const payload = Buffer.from(`${subscriberId}|${topic ?? ''}|${day}`, 'utf8').toString('base64url');
      return `${publicUrl.replace(/\/+$/, '')}/u/${payload}.${sign(secret, payload, true).toString('base64url')}`;
    },
    read(token) {
      if (secret === undefined || secret === '') return undefined;
      const [payload, signature, extra] = token.split('.');
      if (payload === undefined || signature === undefined || extra !== undefined) return undefined;
      const text = decodeCanonical(payload)?.toString('utf8');
      const given = decodeCanonical(signature);
      if (text === undefined || given === undefined || given.length !== 16) return undefined;
      const fields = text.split('|');
      const dated = fields.length === 3;
      if (!timingSafeEqual(given, sign(secret, payload, dated))) return undefined;
      const [subscriberId = '', topic = '', issued] = fields;
      if (subscriberId === '' || fields.length > 3) return undefined;
      const target: UnsubscribeTarget = { subscriberId, ...(topic === '' ? {} : { topic }) };
      const now = clock.now().getTime();
      if (!dated) return now < UNDATED_TOKENS_UNTIL ? target : 'expired';
      if (issued === undefined || !/^\d{1,6}$/.test(issued)) return undefined;
      return Math.floor(now / DAY_MS) - Number(issued) > tokenDays ? 'expired' : target;
    },
  };
}
