import { describe, expect, it } from 'vitest';
import { randomIds } from '../src/deps.js';

describe('randomIds', () => {
  it('gives the prefix and ten letters of the Crockford alphabet, different every time, across pool refills', () => {
    const ids = Array.from({ length: 20_000 }, () => randomIds.next('sub_'));
    for (const id of ids) expect(id).toMatch(/^sub_[0-9a-hjkmnp-tv-z]{10}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('takes any prefix, a long one too', () => {
    expect(randomIds.next('cmp_')).toMatch(/^cmp_[0-9a-hjkmnp-tv-z]{10}$/);
    const long = 'x'.repeat(80);
    expect(randomIds.next(long)).toMatch(new RegExp(`^${long}[0-9a-hjkmnp-tv-z]{10}$`));
  });
});
