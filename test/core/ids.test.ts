import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkId, isIdOf, type IdKind } from '../../src/core/ids.js';
import { randomIds } from '../../src/deps.js';

const KINDS: ReadonlyArray<readonly [IdKind, string]> = [
  ['campaign', 'cmp_'],
  ['schedule', 'sch_'],
  ['subscriber', 'sub_'],
];

/** Strings that could lead a path somewhere: separators, parent steps, NUL, a leading dot. */
const escaping = fc.oneof(
  fc.string().map((s) => `${s}/${s}`),
  fc.string().map((s) => `${s}\\${s}`),
  fc.string().map((s) => `${s}..${s}`),
  fc.string().map((s) => `${s}\0${s}`),
  fc.string().map((s) => `.${s}`),
);

describe('id shapes', () => {
  it.each(KINDS)('%s ids made by canale pass, and the readable ones tests and older homes use', (kind, prefix) => {
    for (let i = 0; i < 200; i++) expect(isIdOf(kind, randomIds.next(prefix))).toBe(true);
    for (const tail of ['0001', 'local', '1-cantieri', 'dry_run', '7k3m9q2xaa']) expect(isIdOf(kind, `${prefix}${tail}`)).toBe(true);
  });

  it.each(KINDS)('no %s id with a slash, a backslash, "..", a NUL or a leading dot passes, whatever the prefix', (kind, prefix) => {
    fc.assert(
      fc.property(escaping, fc.boolean(), (text, prefixed) => {
        const candidate = prefixed && !text.startsWith('.') ? `${prefix}${text}` : text;
        expect(isIdOf(kind, candidate)).toBe(false);
        expect(() => checkId(kind, candidate, '--resume')).toThrow(expect.objectContaining({ exit: 'usage', code: 'ID_INVALID' }));
      }),
      { numRuns: 2000 },
    );
  });

  it('any string that passes is a plain folder name: prefix, then only lower-case letters, digits, _ and -', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (tail) => {
        const text = `cmp_${tail}`;
        if (!isIdOf('campaign', text)) return;
        expect(text).toMatch(/^cmp_[0-9a-z_-]+$/);
        expect(text.length).toBeLessThanOrEqual(68);
      }),
    );
  });

  it('refuses another kind, an empty tail and an over-long id; names where it was typed and the shape expected', () => {
    expect(isIdOf('campaign', 'sch_7k3m9q2xaa')).toBe(false);
    expect(isIdOf('campaign', 'cmp_')).toBe(false);
    expect(isIdOf('campaign', `cmp_${'a'.repeat(65)}`)).toBe(false);
    expect(() => checkId('campaign', '../../x', 'report CAMPAIGN')).toThrow(
      'report CAMPAIGN: "../../x" is not a campaign id — expected cmp_ followed by letters and digits, like cmp_7k3m9q2xaa (see them with: canale campaigns list)',
    );
    expect(() => checkId('schedule', 'cmp_1', 'schedule show ID')).toThrow(/^schedule show ID: "cmp_1" is not a schedule id — expected sch_/);
  });

  it('takes an id typed in capitals or with spaces around it as the stored one', () => {
    expect(checkId('campaign', ' CMP_7K3M9Q2XAA ', '--resume')).toBe('cmp_7k3m9q2xaa');
  });
});
