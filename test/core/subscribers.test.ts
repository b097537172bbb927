import { describe, expect, it } from 'vitest';
import { checkSubscriberDraft } from '../../src/core/subscriber-input.js';
import { addSubscriber, findConflict, removeSubscriber, replaceSubscriber, resubscribe, unsubscribe } from '../../src/core/subscribers.js';
import { DEFAULT_TOPICS, type TopicId } from '../../src/core/topic.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import { aStore, aSubscriber } from '../support/builders.js';

const context = { country: 'IT', topics: DEFAULT_TOPICS };
const meta = { id: 'sub_new' as SubscriberId, now: '2026-11-28T09:00:00.000Z', consent: { source: 'cli', at: '2026-11-28T09:00:00.000Z' } };

function input(draft: Parameters<typeof checkSubscriberDraft>[0]) {
  const checked = checkSubscriberDraft(draft, context);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return checked.value;
}

describe('checkSubscriberDraft', () => {
  it('normalises every field and prefers WhatsApp when there is a phone', () => {
    expect(input({ name: '  Maria   Rossi ', phone: '333 123 4567', email: 'M@Example.IT', topics: ['Cantieri', 'raccolta differenziata', 'cantieri'] })).toEqual({
      name: 'Maria Rossi',
      phone: '+393331234567',
      email: 'M@example.it',
      topics: ['cantieri', 'raccolta-differenziata'],
      channel: 'whatsapp',
      attributes: {},
    });
  });

  it('prefers e-mail without a phone', () => {
    expect(input({ email: 'a@example.it', topics: ['scuola'] }).channel).toBe('email');
  });

  it.each([
    [{ topics: ['scuola'] }, 'phone', 'a subscriber needs a phone number or an e-mail address'],
    [{ phone: '12', topics: ['scuola'] }, 'phone', 'not a valid phone number (default country IT)'],
    [{ email: 'nope', topics: ['scuola'] }, 'email', 'not a valid e-mail address'],
    [{ phone: '3331234567', topics: ['sport'] }, 'topics', expect.stringMatching(/^unknown topic/)],
    [{ phone: '3331234567', topics: ['scuola'], channel: 'sms' }, 'channel', 'the channel is whatsapp or email'],
    [{ email: 'a@example.it', topics: ['scuola'], channel: 'whatsapp' }, 'channel', 'WhatsApp needs a phone number'],
    [{ phone: '3331234567', topics: ['scuola'], channel: 'email' }, 'channel', 'e-mail needs an e-mail address'],
  ])('%j is refused on %s', (draft, field, reason) => {
    const checked = checkSubscriberDraft(draft, context);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? [] : checked.problems).toContainEqual({ field, value: expect.any(String), reason });
  });

  it('reports every problem at once', () => {
    const checked = checkSubscriberDraft({ phone: 'x', email: 'y', topics: ['z'] }, context);
    expect(checked.ok ? [] : checked.problems.map((p) => p.field)).toEqual(['phone', 'email', 'topics']);
  });
});

describe('uniqueness', () => {
  const maria = aSubscriber({ phone: '+393331234567' as never, email: 'Maria@example.it' as never });

  it.each([
    [{ phone: '+393331234567' }, true],
    [{ email: 'maria@EXAMPLE.it' }, true],
    [{ email: 'MARIA@example.it' }, true],
    [{ phone: '+393339999999', email: 'other@example.it' }, false],
    [{}, false],
  ])('%j conflicts: %s', (contact, conflicts) => {
    expect(findConflict([maria], contact) !== undefined).toBe(conflicts);
  });

  it('refuses a second subscriber with the same phone, naming the existing one', () => {
    const data = aStore([maria]);
    expect(() => addSubscriber(data, input({ phone: '+39 333 123 4567', topics: ['scuola'] }), meta)).toThrow(
      `subscriber ${maria.id} already has phone +393331234567`,
    );
    expect(data.subscribers).toHaveLength(1);
  });

  it('refuses an update that takes another subscriber’s e-mail', () => {
    const luca = aSubscriber();
    const data = aStore([maria, luca]);
    expect(() => replaceSubscriber(data, { ...luca, email: 'maria@example.it' as never })).toThrow(/already has e-mail/);
  });

  it('adds an active subscriber with its consent', () => {
    const data = aStore();
    const added = addSubscriber(data, input({ phone: '3331234567', topics: ['scuola'], attributes: { municipio: 'I' } }), meta);
    expect(added).toMatchObject({ id: 'sub_new', status: 'active', consent: meta.consent, attributes: { municipio: 'I' }, createdAt: meta.now });
    expect(removeSubscriber(data, added.id)).toBe(added);
    expect(data.subscribers).toEqual([]);
  });
});

describe('opt-out and back', () => {
  const change = { at: '2026-11-28T10:00:00.000Z', source: 'cli' };
  const s = aSubscriber({ topics: ['cantieri', 'scuola'] });

  it('leaving a topic removes it and remembers it', () => {
    const next = unsubscribe(s, 'scuola' as TopicId, change);
    expect(next.topics).toEqual(['cantieri']);
    expect(next.optedOutTopics).toEqual(['scuola']);
    expect(next.status).toBe('active');
    expect(next.history).toEqual([{ at: change.at, action: 'topic-left', topic: 'scuola', source: 'cli' }]);
  });

  it('a full opt-out keeps topics but stops everything, and is idempotent', () => {
    const next = unsubscribe(s, undefined, { ...change, note: 'telefonata' });
    expect(next).toMatchObject({ status: 'unsubscribed', topics: ['cantieri', 'scuola'] });
    expect(next.history).toEqual([{ at: change.at, action: 'unsubscribed', source: 'cli', note: 'telefonata' }]);
    expect(unsubscribe(next, undefined, change)).toBe(next);
  });

  it('resubscribing to a topic undoes its opt-out', () => {
    const left = unsubscribe(s, 'scuola' as TopicId, change);
    const back = resubscribe(left, 'scuola' as TopicId, change);
    expect(back.topics).toEqual(['cantieri', 'scuola']);
    expect(back.optedOutTopics).toBeUndefined();
    expect(back.history?.map((e) => e.action)).toEqual(['topic-left', 'topic-joined']);
  });

  it('resubscribing an active subscriber changes nothing', () => {
    expect(resubscribe(s, undefined, change)).toBe(s);
  });
});
