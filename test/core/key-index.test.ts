import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../src/core/key-index.js';

describe('KeyIndex', () => {
  it('answers as a Map would, through growth, replacement, deletion and a set right after a missed get', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.string({ maxLength: 6 }), value: fc.nat(1_000) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.string({ maxLength: 6 }) }),
      fc.record({ kind: fc.constant('claim' as const), key: fc.string({ maxLength: 6 }), value: fc.nat(1_000) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.string({ maxLength: 6 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3_000 }), fc.nat(64), (ops, expected) => {
        const index = new KeyIndex(expected);
        const map = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            index.set(o.key, o.value);
            map.set(o.key, o.value);
          } else if (o.kind === 'delete') {
            index.delete(o.key);
            map.delete(o.key);
          } else if (o.kind === 'get') {
            expect(index.get(o.key)).toBe(map.get(o.key) ?? -1);
          } else {
            // the batch's pattern: look up, and add when missing
            const found = index.get(o.key);
            expect(found).toBe(map.get(o.key) ?? -1);
            if (found === -1) {
              index.set(o.key, o.value);
              map.set(o.key, o.value);
            }
          }
        }
        expect(index.size).toBe(map.size);
        for (const [key, value] of map) expect(index.get(key)).toBe(value);
        const visited = new Map<string, number>();
        index.forEach((key, value) => visited.set(key, value));
        expect(visited).toEqual(map);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a hundred thousand phone numbers apart', () => {
    const index = new KeyIndex();
    for (let i = 0; i < 100_000; i++) index.set(`+39333${String(i).padStart(7, '0')}`, i);
    expect(index.size).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) expect(index.get(`+39333${String(i).padStart(7, '0')}`)).toBe(i);
    expect(index.get('+393330100000')).toBe(-1);
  });
});
