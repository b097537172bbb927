import { createHmac, timingSafeEqual } from 'node:crypto';
import type { UnsubscribeLinks } from '../core/ports.js';

const encode = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

function sign(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`canale-unsubscribe:${payload}`).digest().subarray(0, 16);
}

/**
 * Links `{publicUrl}/u/{payload}.{signature}`: the payload is `subscriberId` or `subscriberId|topic` in base64url,
 * the signature 128 bits of HMAC-SHA256 with the unsubscribe secret. Without a public URL or a secret there are
 * no links, and the plan says so.
 */
export function unsubscribeLinks(publicUrl: string | undefined, secret: string | undefined): UnsubscribeLinks {
  return {
    urlFor(subscriberId, topic) {
      if (publicUrl === undefined || publicUrl === '' || secret === undefined || secret === '') return undefined;
      const payload = encode(topic === undefined ? subscriberId : `${subscriberId}|${topic}`);
      return `${publicUrl.replace(/\/+$/, '')}/u/${payload}.${sign(secret, payload).toString('base64url')}`;
    },
    read(token) {
      if (secret === undefined || secret === '') return undefined;
      const [payload, signature, extra] = token.split('.');
      if (payload === undefined || signature === undefined || extra !== undefined) return undefined;
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(secret, payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const [subscriberId = '', topic] = Buffer.from(payload, 'base64url').toString('utf8').split('|');
      return subscriberId === '' ? undefined : { subscriberId, ...(topic === undefined ? {} : { topic }) };
    },
  };
}
