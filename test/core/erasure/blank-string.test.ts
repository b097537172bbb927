import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blankNeedles, blankString, isErased } from '../../../src/core/erasure/blank-string.js';
import { stringTokens } from '../../../src/core/erasure/json-tokens.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytesOf = (value: unknown) => encoder.encode(JSON.stringify(value));
const parse = (bytes: Uint8Array) => JSON.parse(decoder.decode(bytes)) as unknown;

/** The shape of a JSON value with every string replaced by its length-free placeholder: what a scrub must keep. */
function shapeOf(value: unknown): unknown {
  if (typeof value === 'string') return 'S';
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  return value;
}

describe('blankString', () => {
  it.each([
    ['a plain text', 'Ornella Zappacosta', '******************'],
    ['escapes keep their shape', 'a"b\\c\nd', '*\\*\\*\\*'],
    ['\\u escapes become \\u0000', '\u0001x', '\u0000*'],
    ['non-ASCII: one star per byte', 'è', '**'],
  ])('%s', (_what, value, blanked) => {
    const bytes = bytesOf({ v: value });
    const token = stringTokens(bytes).find((t) => !t.isKey);
    expect(token).toBeDefined();
    expect(blankString(bytes, token as never)).toBe(true);
    expect(parse(bytes)).toEqual({ v: blanked });
    expect(isErased(blanked)).toBe(true);
  });

  it('writes a word where it fits, and says nothing changed when nothing did', () => {
    const bytes = bytesOf(['sub_abc123', 'whatsapp']);
    const [id] = stringTokens(bytes);
    expect(blankString(bytes, id as never, { word: 'forgotten' })).toBe(true);
    expect(parse(bytes)).toEqual(['forgotten*', 'whatsapp']);
    expect(blankString(bytes, id as never, { word: 'forgotten' })).toBe(false);
  });

  it('blanks only the needle inside a longer text', () => {
    const bytes = bytesOf({ detail: '550 5.1.1 <maria@example.it>: no such user' });
    const token = stringTokens(bytes).find((t) => !t.isKey) as never;
    expect(blankNeedles(bytes, token, [encoder.encode('maria@example.it')])).toBe(true);
    expect(parse(bytes)).toEqual({ detail: '550 5.1.1 <****************>: no such user' });
  });

  it('keeps the JSON well-formed and of the same shape for a reader that sees any mix of old and new bytes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), fc.infiniteStream(fc.boolean()), (value: unknown, mix) => {
        const before = bytesOf(value);
        const after = Uint8Array.from(before);
        for (const token of stringTokens(after)) if (!token.isKey) blankString(after, token);
        expect(after.length).toBe(before.length);
        // a reader racing the writes sees each byte old or new
        const seen = before.map((b, i) => (mix.next().value ? (after[i] as number) : b));
        for (const bytes of [after, seen]) expect(shapeOf(parse(bytes))).toEqual(shapeOf(parse(before)));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps keys and numbers as they were: only string values change', () => {
    const value = { i: 12, s: 'sent', id: 'wamid.X', n: [1.5, 'x', { at: '2026' }] };
    const bytes = bytesOf(value);
    for (const token of stringTokens(bytes)) if (!token.isKey) blankString(bytes, token);
    expect(parse(bytes)).toEqual({ i: 12, s: '****', id: '*******', n: [1.5, '*', { at: '****' }] });
  });
});
