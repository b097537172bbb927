import { describe, expect, it } from 'vitest';
import { applyReply, isAlreadyApplied } from '../../src/core/replies/citizen-reply.js';
import { SubscriberBook } from '../../src/core/subscriber-book.js';
import type { Subscriber, SubscriberId } from '../../src/core/subscriber.js';
import type { E164 } from '../../src/core/phone.js';
import type { TopicId } from '../../src/core/topic.js';
import { findByIdentity } from '../../src/core/whatsapp-identity.js';
import { aStore, aSubscriber } from '../support/builders.js';

const phone = (i: number) => `+39333${String(1_000_000 + i)}` as never;
const people = (n: number) => Array.from({ length: n }, (_v, i) => aSubscriber({ id: `sub_${i}` as SubscriberId, phone: phone(i), email: `p${i}@example.it` as never, topics: ['cantieri'], ...(i % 3 === 0 ? { whatsappUserId: `IT.${i}` } : {}) }));

describe('SubscriberBook', () => {
  it('built in steps with pauses between, finds what a book built at once finds, and knows what it changed', async () => {
    const people = Array.from({ length: 7 }, (_, i) => aSubscriber({ phone: `+39333000000${i}` as never, consent: { source: `whatsapp:w${i}`, at: '2026-11-01T10:00:00.000Z' } }));
    const hints = { phones: ['+393330000005', '+393339999999'], ids: [people[2]?.id ?? ''], sources: ['whatsapp:w6', 'whatsapp:nope'] };
    let pauses = 0;
    const stepped = await SubscriberBook.built(aStore(people), hints, async () => void pauses++, 2);
    const atOnce = new SubscriberBook(aStore(people), hints);
    expect(pauses).toBe(4);
    for (const book of [stepped, atOnce]) {
      expect(book.find({ phone: '+393330000005' as E164 })?.id).toBe(people[5]?.id);
      expect(book.find({ phone: '+393339999999' as E164 })).toBeUndefined();
      expect(book.findById(people[2]?.id ?? '')?.id).toBe(people[2]?.id);
      expect([book.hasSource('whatsapp:w6'), book.hasSource('whatsapp:nope')]).toEqual([true, false]);
    }
    expect(stepped.changed()).toEqual([]);
    const renamed = stepped.replace({ ...(people[2] as Subscriber), name: 'Nuovo' });
    expect(stepped.changed()).toEqual([renamed]);
  });

  it('knows whom it changed, each once, in the order first changed, through inserts, replaces and removals', () => {
    const data = aStore(people(6));
    const book = new SubscriberBook(data);
    const added = book.insert(aSubscriber({ id: 'sub_new' as SubscriberId, phone: phone(100), email: 'new@example.it' as never }));
    const three = book.replace({ ...(book.findById('sub_3') as Subscriber), name: 'Tre' });
    book.replace({ ...added, name: 'Nuovo' });
    const one = book.replace({ ...(book.findById('sub_1') as Subscriber), name: 'Uno' });
    book.replace({ ...three, name: 'Tre bis' });
    book.remove('sub_0');
    book.remove('sub_1');
    const late = book.insert(aSubscriber({ id: 'sub_late' as SubscriberId, phone: phone(101), email: 'late@example.it' as never }));
    // sub_5 moved up by the removals is still one the book found there, not one it added
    book.replace({ ...(book.findById('sub_5') as Subscriber), name: 'Cinque' });
    expect(book.changed().map((s) => [s.id, s.name])).toEqual([
      ['sub_new', 'Nuovo'],
      ['sub_3', 'Tre bis'],
      [late.id, late.name],
      ['sub_5', 'Cinque'],
    ]);
    expect(one.id).toBe('sub_1');
  });

  it('finds who findByIdentity finds, by number first, then by user id', () => {
    const data = aStore(people(50));
    const book = new SubscriberBook(data);
    for (const who of [{ phone: phone(7) }, { userId: 'IT.9' }, { phone: phone(99), userId: 'IT.12' }, { phone: phone(3), userId: 'IT.12' }, { phone: phone(99) }, {}]) {
      expect(book.find(who)?.id).toBe(findByIdentity(data.subscribers, who)?.id);
    }
  });

  it('keeps its lookups true through its own changes, and refuses a duplicate number or e-mail', () => {
    const data = aStore(people(20));
    const book = new SubscriberBook(data);
    const five = book.find({ phone: phone(5) });
    expect(five?.id).toBe('sub_5');
    book.replace({ ...(five as Subscriber), phone: phone(500) });
    expect(book.find({ phone: phone(5) })).toBeUndefined();
    expect(book.find({ phone: phone(500) })?.id).toBe('sub_5');
    expect(() => book.replace({ ...(book.findById('sub_6' as SubscriberId) as Subscriber), phone: phone(500) })).toThrow(/subscriber sub_5 already has phone/);
    expect(() => book.replace({ ...(book.findById('sub_6' as SubscriberId) as Subscriber), email: 'P7@example.it' as never })).toThrow(/subscriber sub_7 already has e-mail/);
    const added = book.add({ phone: phone(600), topics: ['cantieri' as TopicId], channel: 'whatsapp', attributes: {} }, { id: 'sub_new' as SubscriberId, now: '2026', consent: { source: 'whatsapp:wamid.N', at: '2026' } });
    expect(book.find({ phone: phone(600) })).toBe(added);
    expect(book.hasSource('whatsapp:wamid.N')).toBe(true);
    expect(() => book.add({ phone: phone(600), topics: [], channel: 'whatsapp', attributes: {} }, { id: 'sub_x' as SubscriberId, now: '2026', consent: { source: 's', at: '2026' } })).toThrow(/already has phone/);
    expect(data.subscribers).toHaveLength(21);
  });

  it('builds itself again when records were added or moved behind its back', () => {
    const data = aStore(people(10));
    const book = new SubscriberBook(data);
    expect(book.find({ phone: phone(2) })?.id).toBe('sub_2');
    data.subscribers.push(aSubscriber({ id: 'sub_late' as SubscriberId, phone: phone(77) }));
    expect(book.find({ phone: phone(77) })?.id).toBe('sub_late');
    data.subscribers.splice(0, 1);
    expect(book.find({ phone: phone(2) })?.id).toBe('sub_2');
  });

  it('lets a batch of replies share one book: STOPs applied once, redelivery recognised', () => {
    const data = aStore(people(1000));
    const book = new SubscriberBook(data);
    const newId = () => 'sub_never' as SubscriberId;
    for (let i = 0; i < 1000; i += 10) {
      const message = { phone: phone(i), messageId: `wamid.${i}`, at: '2026-12-02T09:00:00.000Z' };
      expect(isAlreadyApplied(book, message.messageId)).toBe(false);
      expect(applyReply(book, { kind: 'stop' }, message, newId).changed).toBe(true);
      expect(isAlreadyApplied(book, message.messageId)).toBe(true);
    }
    expect(data.subscribers.filter((s) => s.status === 'unsubscribed')).toHaveLength(100);
    // a fresh book over the same store sees the same (the store is what is kept)
    expect(isAlreadyApplied(data, 'wamid.990')).toBe(true);
  });
});
