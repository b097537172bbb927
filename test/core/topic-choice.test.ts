import { describe, expect, it } from 'vitest';
import { applyStoreEvents, type StoreEvent } from '../../src/core/replies/reply-batch.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import { aStore, aSubscriber } from '../support/builders.js';

const at = '2026-12-04T10:00:00.000Z';
const newId = () => 'sub_never' as SubscriberId;
const choose = (subscriberId: string, topics: string[]): StoreEvent => ({ kind: 'preferences', subscriberId, topics, at, source: 'email:preferences' });

describe('applyStoreEvents: a preference page choice', () => {
  it('leaves the topics not ticked and joins those ticked, each in the history with its source; ids the catalogue lacks are ignored', () => {
    const citizen = aSubscriber({ topics: ['cantieri', 'scuola'] });
    const data = aStore([citizen]);
    const result = applyStoreEvents(data, [choose(citizen.id, ['scuola', 'eventi', 'inventato'])], newId);
    expect(data.subscribers[0]).toMatchObject({ status: 'active', topics: ['scuola', 'eventi'], optedOutTopics: ['cantieri'], updatedAt: at });
    expect(data.subscribers[0]?.history).toEqual([
      { at, action: 'topic-left', topic: 'cantieri', source: 'email:preferences' },
      { at, action: 'topic-joined', topic: 'eventi', source: 'email:preferences' },
    ]);
    expect(result).toMatchObject({ changed: 1, optOuts: [{ subscriberId: citizen.id, topic: 'cantieri', at }] });
  });

  it('applied twice (a crash re-applies the batch) changes it once, and names the topic left again for the feed', () => {
    const citizen = aSubscriber({ topics: ['cantieri', 'scuola'] });
    const data = aStore([citizen]);
    applyStoreEvents(data, [choose(citizen.id, ['scuola'])], newId);
    const once = data.subscribers[0];
    const again = applyStoreEvents(data, [choose(citizen.id, ['scuola'])], newId);
    expect(data.subscribers[0]).toBe(once);
    expect(once?.history).toHaveLength(1);
    expect(again).toEqual({ replies: [], optOuts: [{ subscriberId: citizen.id, topic: 'cantieri', at }], identities: [], changed: 0, confirmedSignups: [] });
  });

  it('a citizen who had left everything and ticks topics is subscribed again, to those only', () => {
    const citizen = aSubscriber({ status: 'unsubscribed', topics: ['cantieri', 'scuola'] });
    const data = aStore([citizen]);
    const result = applyStoreEvents(data, [choose(citizen.id, ['scuola', 'mobilita'])], newId);
    expect(data.subscribers[0]).toMatchObject({ status: 'active', topics: ['scuola', 'mobilita'], optedOutTopics: ['cantieri'] });
    expect(data.subscribers[0]?.history?.map((h) => [h.action, h.topic, h.source])).toEqual([
      ['topic-left', 'cantieri', 'email:preferences'],
      ['resubscribed', undefined, 'email:preferences'],
      ['topic-joined', 'mobilita', 'email:preferences'],
    ]);
    expect(result.optOuts).toEqual([{ subscriberId: citizen.id, topic: 'cantieri', at }]);
  });

  it('a topic the citizen left before and ticks again is no longer remembered as left', () => {
    const citizen = aSubscriber({ topics: ['scuola'], optedOutTopics: ['cantieri'] });
    const data = aStore([citizen]);
    applyStoreEvents(data, [choose(citizen.id, ['scuola', 'cantieri'])], newId);
    expect(data.subscribers[0]?.topics).toEqual(['scuola', 'cantieri']);
    expect(data.subscribers[0]?.optedOutTopics).toBeUndefined();
  });

  it('a topic no longer in the catalogue stays as it is; nothing known ticked is leaving everything (email:link)', () => {
    const citizen = aSubscriber({ topics: ['cantieri', 'vecchio'] });
    const other = aSubscriber({ topics: ['cantieri'] });
    const data = aStore([citizen, other]);
    const result = applyStoreEvents(data, [choose(citizen.id, ['scuola']), choose(other.id, ['vecchio'])], newId);
    expect(data.subscribers[0]).toMatchObject({ status: 'active', topics: ['vecchio', 'scuola'] });
    expect(data.subscribers[1]).toMatchObject({ status: 'unsubscribed', topics: ['cantieri'] });
    expect(data.subscribers[1]?.history).toEqual([{ at, action: 'unsubscribed', source: 'email:link' }]);
    expect(result.optOuts).toEqual([
      { subscriberId: citizen.id, topic: 'cantieri', at },
      { subscriberId: other.id, at },
    ]);
  });

  it('a subscriber forgotten since the link was made: nothing', () => {
    const data = aStore([aSubscriber()]);
    expect(applyStoreEvents(data, [choose('sub_gone', ['scuola'])], newId)).toEqual({ replies: [], optOuts: [], identities: [], changed: 0, confirmedSignups: [] });
  });
});
