import { createHash, verify, type KeyObject } from 'node:crypto';
import { headerFields } from './mime-decode.js';

/**
 * A DKIM verifier written from RFC 6376 for the tests, independent of nodemailer's signer: rsa-sha256 with
 * relaxed/relaxed canonicalisation (§3.4.2, §3.4.4), the header fields of `h=` taken bottom-up (§5.4.2), the
 * signature's own field with an empty `b=` last and without its CRLF (§3.7).
 */
export interface DkimVerdict {
  readonly ok: boolean;
  /** The `h=` list, lower case, in order. */
  readonly signedHeaders: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly problem?: string;
}

const relaxedHeader = (name: string, raw: string): string =>
  `${name.toLowerCase().trim()}:${raw
    .slice(raw.indexOf(':') + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim()}\r\n`;

function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
}

export function verifyDkim(raw: string, publicKey: KeyObject): DkimVerdict {
  const split = raw.indexOf('\r\n\r\n');
  const fields = headerFields(raw.slice(0, split));
  const signature = fields.find((f) => f.name.toLowerCase() === 'dkim-signature');
  if (signature === undefined) return { ok: false, signedHeaders: [], tags: {}, problem: 'no DKIM-Signature' };
  const value = signature.raw.slice(signature.raw.indexOf(':') + 1).replace(/\r\n/g, '');
  const tags = Object.fromEntries(
    value
      .split(';')
      .map((t) => t.trim())
      .filter((t) => t !== '')
      .map((t) => [t.slice(0, t.indexOf('=')).trim(), t.slice(t.indexOf('=') + 1).replace(/\s+/g, '')]),
  ) as Record<string, string>;
  const signedHeaders = (tags.h ?? '').split(':').map((h) => h.trim().toLowerCase());
  const fail = (problem: string): DkimVerdict => ({ ok: false, signedHeaders, tags, problem });
  if (tags.v !== '1' || tags.a !== 'rsa-sha256' || tags.c !== 'relaxed/relaxed') return fail(`unexpected v/a/c: ${tags.v}/${tags.a}/${tags.c}`);
  const bodyHash = createHash('sha256').update(relaxedBody(raw.slice(split + 4))).digest('base64');
  if (bodyHash !== tags.bh) return fail('body hash does not match');
  const unused = fields.filter((f) => f !== signature);
  let data = '';
  for (const name of signedHeaders) {
    const index = unused.map((f) => f.name.toLowerCase()).lastIndexOf(name);
    if (index === -1) continue; // a name with no field signs its absence (§5.4)
    const [field] = unused.splice(index, 1);
    if (field !== undefined) data += relaxedHeader(field.name, field.raw);
  }
  const emptied = signature.raw.replace(/(^|;)(\s*b\s*=)[^;]*/, '$1$2');
  data += relaxedHeader(signature.name, emptied).replace(/\r\n$/, '');
  const ok = verify('sha256', Buffer.from(data, 'utf8'), publicKey, Buffer.from(tags.b ?? '', 'base64'));
  return ok ? { ok, signedHeaders, tags } : fail('signature does not verify');
}
