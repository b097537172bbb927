import { describe, expect, it } from 'vitest';
import type { E164 } from '../../src/core/phone.js';
import { applyStoreEvents, type StoreEvent } from '../../src/core/replies/reply-batch.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import { aStore, aSubscriber } from '../support/builders.js';

const at = '2026-11-28T10:00:00.000Z';
const reply = (phone: string, messageId: string, command: Extract<StoreEvent, { kind: 'reply' }>['command']): StoreEvent => ({ kind: 'reply', message: { phone: phone as E164, messageId, at }, command });
const ids = () => {
  let n = 0;
  return () => `sub_new${++n}` as SubscriberId;
};

describe('applyStoreEvents', () => {
  it('an unknown number joining then leaving in one batch: added, then unsubscribed, and named as an opt-out', () => {
    const data = aStore([aSubscriber()]);
    const result = applyStoreEvents(data, [reply('+393471234567', 'w1', { kind: 'join', topic: 'cantieri' }), reply('+393471234567', 'w2', { kind: 'stop' })], ids());
    expect(data.subscribers).toHaveLength(2);
    expect(data.subscribers[1]).toMatchObject({ id: 'sub_new1', status: 'unsubscribed', consent: { source: 'whatsapp:w1' } });
    expect(result.optOuts).toEqual([{ subscriberId: 'sub_new1', at }]);
    expect(result.replies.map((r) => r.outcome.changed)).toEqual([true, true]);
  });

  it('a message already in the store (a redelivery, a batch applied again) is not applied or answered again, but its opt-out is named again', () => {
    const citizen = aSubscriber({ topics: ['cantieri', 'scuola'] });
    const data = aStore([aSubscriber(), citizen]);
    const first = applyStoreEvents(data, [reply(citizen.phone ?? '', 'w1', { kind: 'leave', topic: 'scuola' })], ids());
    const again = applyStoreEvents(data, [reply(citizen.phone ?? '', 'w1', { kind: 'leave', topic: 'scuola' })], ids());
    expect(first.replies).toHaveLength(1);
    expect(again).toEqual({ replies: [], optOuts: [{ subscriberId: citizen.id, topic: 'scuola', at }], identities: [], changed: 0, confirmedSignups: [] });
    expect(data.subscribers[1]?.history).toHaveLength(1);
  });

  it('one-click unsubscribes and unreachable flags by id, in place, the others untouched', () => {
    const [a, b, c] = [aSubscriber(), aSubscriber(), aSubscriber()];
    const data = aStore([a, b, c]);
    const result = applyStoreEvents(
      data,
      [
        { kind: 'unsubscribe', subscriberId: b.id, at, source: 'email:one-click' },
        { kind: 'unreachable', subscriberId: c.id, at },
        { kind: 'unreachable', subscriberId: c.id, at },
      ],
      ids(),
    );
    expect(data.subscribers.map((s) => [s.status, s.whatsappUnreachable ?? false])).toEqual([
      ['active', false],
      ['unsubscribed', false],
      ['active', true],
    ]);
    expect(data.subscribers[0]).toBe(a);
    expect(result).toMatchObject({ changed: 2, optOuts: [{ subscriberId: b.id, at }] });
  });
});
