import { describe, expect, it } from 'vitest';
import { SharedValues } from '../../src/core/shared-values.js';
import { aSubscriber } from '../support/builders.js';

const fresh = (record: object): Record<string, unknown> => JSON.parse(JSON.stringify(record)) as Record<string, unknown>;

describe('SharedValues', () => {
  it('gives records the same copy of the topics, attributes and consent they have in common, changing no value', () => {
    const shared = new SharedValues();
    const people = Array.from({ length: 3 }, () => aSubscriber({ topics: ['cantieri', 'scuola'], attributes: { municipio: 'I', cap: '00184' } }));
    const records = people.map((p) => fresh(p));
    for (const r of records) shared.shareSubscriber(r);
    expect(records).toEqual(people);
    for (const field of ['topics', 'attributes', 'consent']) expect(records[2]?.[field]).toBe(records[0]?.[field]);
  });

  it('never merges values that differ: other content, another order of keys, a list and an object', () => {
    const shared = new SharedValues();
    const records = [
      fresh(aSubscriber({ attributes: { municipio: 'I', cap: '00184' } })),
      fresh(aSubscriber({ attributes: { cap: '00184', municipio: 'I' } })),
      fresh(aSubscriber({ attributes: { municipio: 'II', cap: '00184' } })),
      fresh({ ...aSubscriber(), attributes: ['I', '00184'] }),
      fresh(aSubscriber({ attributes: { 'municipio\u0001I': '' } })),
    ];
    const before = structuredClone(records);
    for (const r of records) shared.shareSubscriber(r);
    expect(records).toEqual(before);
    expect(new Set(records.map((r) => r.attributes)).size).toBe(records.length);
  });

  it('goes on answering when values are all different (a million sign-up dates): every record keeps its own', () => {
    const shared = new SharedValues();
    const records = Array.from({ length: 10_000 }, (_, i) => {
      const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
      return fresh(aSubscriber({ consent: { source: 'web', at }, createdAt: at, updatedAt: at }));
    });
    const before = structuredClone(records);
    for (const r of records) shared.shareSubscriber(r);
    expect(records).toEqual(before);
    expect(new Set(records.map((r) => r.consent)).size).toBe(records.length);
  });
});
