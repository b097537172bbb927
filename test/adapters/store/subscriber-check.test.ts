import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { subscriberSchema } from '../../../src/adapters/store/store-schema.js';
import { SubscriberCheck } from '../../../src/adapters/store/subscriber-check.js';
import { aSubscriber } from '../../support/builders.js';

const newCheck = (): SubscriberCheck =>
  new SubscriberCheck(
    (text) => subscriberSchema.shape.createdAt.safeParse(text).success,
    (text) => subscriberSchema.shape.topics.element.safeParse(text).success,
  );

const record = (): Record<string, unknown> => JSON.parse(JSON.stringify(aSubscriber({ attributes: { municipio: 'I' } })));

describe('SubscriberCheck', () => {
  it('accepts what canale writes, also when values are shared between records', () => {
    const check = newCheck();
    const a = record();
    const b = { ...record(), consent: a.consent, topics: a.topics, attributes: a.attributes };
    expect([a, b, { ...a, optedOutTopics: ['scuola'], whatsappUnreachable: true, emailBounced: false }].map((r) => check.isValid(r))).toEqual([true, true, true]);
  });

  it.each<[string, (r: Record<string, unknown>) => void]>([
    ['an unknown key', (r) => (r.colour = 'red')],
    ['no id', (r) => delete r.id],
    ['an empty id', (r) => (r.id = '')],
    ['no consent', (r) => delete r.consent],
    ['a consent without its date', (r) => (r.consent = { source: 'x' })],
    ['a consent with an unknown key', (r) => (r.consent = { source: 'x', at: '2026-01-01T00:00:00.000Z', by: 'me' })],
    ['a bad phone', (r) => (r.phone = '333')],
    ['a bad date', (r) => (r.createdAt = '2026-13-01T00:00:00.000Z')],
    ['a bad topic', (r) => (r.topics = ['Cantieri'])],
    ['topics that are a date', (r) => (r.topics = r.createdAt)],
    ['an attribute that is a number', (r) => (r.attributes = { n: 1 })],
    ['attributes that are a list', (r) => (r.attributes = ['a'])],
    ['a flag that is a string', (r) => (r.emailBounced = 'true')],
    ['a history (always left to the schema)', (r) => (r.history = [])],
  ])('leaves %s to the schema', (_label, damage) => {
    const check = newCheck();
    expect(check.isValid(record())).toBe(true);
    const damaged = record();
    damage(damaged);
    expect(check.isValid(damaged)).toBe(false);
  });

  it('never accepts a record the schema rejects', () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom('', 'whatsapp', 'email', 'active', 'unsubscribed', 'cantieri', '+393331234567', 'a@b.it', '2026-01-01T00:00:00.000Z', '2026-02-30T00:00:00Z'),
      fc.boolean(),
      fc.integer(),
      fc.constant(null),
      fc.array(fc.constantFrom('cantieri', 'scuola', 'Scuola', '', '2026-01-01T00:00:00.000Z')),
      fc.dictionary(fc.constantFrom('source', 'at', 'note', 'municipio'), fc.constantFrom('x', '', '2026-01-01T00:00:00.000Z', 3 as unknown as string)),
    );
    const key = fc.constantFrom(...Object.keys(subscriberSchema.shape), 'extra');
    const check = newCheck();
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.option(value, { nil: undefined })), { maxLength: 4 }), (changes) => {
        const r = record();
        for (const [k, v] of changes) {
          if (v === undefined) delete r[k];
          else r[k] = v;
        }
        if (check.isValid(r)) expect(subscriberSchema.safeParse(r).success).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
