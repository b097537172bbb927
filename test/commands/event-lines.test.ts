import { describe, expect, it } from 'vitest';
import { earlyOptOuts, readLine } from '../../src/commands/webhook/event-lines.js';
import { pageLine } from '../../src/core/ports.js';
import type { E164 } from '../../src/core/phone.js';
import type { StoreEvent } from '../../src/core/replies/reply-batch.js';
import type { Topic, TopicId } from '../../src/core/topic.js';

const at = '2026-12-02T09:00:00.000Z';
const topics: Topic[] = [{ id: 'cantieri' as TopicId, label: 'Cantieri' }];
const reply = (phone: string, command: Extract<StoreEvent, { kind: 'reply' }>['command'], messageId = `w.${phone}.${command.kind}`): StoreEvent => ({ kind: 'reply', message: { phone: phone as E164, messageId, at }, command });
const preference = (phone: string, value: 'stop' | 'resume'): StoreEvent => ({ kind: 'preference', identity: { phone: phone as E164 }, value, at, source: `whatsapp:user_preferences@${at}` });

describe('earlyOptOuts: what running sends are told before the store write', () => {
  it('a STOP, a topic STOP, a stop word before anything else, a marketing stop; not a STOP followed by ISCRIVI, nor a stop then a resume', () => {
    const events = [
      reply('+391', { kind: 'stop' }),
      reply('+392', { kind: 'leave', topic: 'cantieri, grazie' }),
      reply('+393', { kind: 'leave', topic: 'promotions' }),
      reply('+394', { kind: 'stop' }),
      reply('+394', { kind: 'join', topic: 'cantieri' }),
      preference('+395', 'stop'),
      preference('+396', 'stop'),
      preference('+396', 'resume'),
      reply('+397', { kind: 'unknown' }),
      { kind: 'user-id', subscriberId: 'sub_x', userId: 'IT.1', at } as StoreEvent,
    ];
    expect(earlyOptOuts(events, topics)).toEqual([
      { phone: '+391', at },
      { phone: '+392', topic: 'cantieri', at },
      { phone: '+393', at },
      { phone: '+395', isMarketingOnly: true, at },
    ]);
  });

  it('a citizen known by user id only is named by it', () => {
    const events: StoreEvent[] = [{ kind: 'reply', message: { userId: 'IT.42', messageId: 'w', at }, command: { kind: 'stop' } }];
    expect(earlyOptOuts(events, topics)).toEqual([{ userId: 'IT.42', at }]);
  });
});

describe('readLine: a preference page line', () => {
  it('is a preferences event for the subscriber, with the topics as written (strings only) and the source email:preferences', () => {
    const line = pageLine(at, { preferences: { subscriberId: 'sub_1', topics: ['scuola', 'eventi'], source: 'email:preferences' } });
    expect(readLine(line)).toEqual({ statuses: [], trouble: [], events: [{ kind: 'preferences', subscriberId: 'sub_1', topics: ['scuola', 'eventi'], at, source: 'email:preferences' }] });
    expect(readLine(JSON.stringify({ at, preferences: { sub: 'sub_1', topics: ['scuola', 3, null], source: 'other' } })).events).toEqual([{ kind: 'preferences', subscriberId: 'sub_1', topics: ['scuola'], at, source: 'email:preferences' }]);
  });

  it.each([
    ['no subscriber', { topics: ['scuola'] }],
    ['topics not a list', { sub: 'sub_1', topics: 'scuola' }],
  ])('%s: nothing', (_what, preferences) => {
    expect(readLine(JSON.stringify({ at, preferences })).events).toEqual([]);
  });

  it('changes nothing for running sends before the batch: the page told them already', () => {
    expect(earlyOptOuts(readLine(pageLine(at, { preferences: { subscriberId: 'sub_1', topics: [], source: 'email:preferences' } })).events, topics)).toEqual([]);
  });
});
