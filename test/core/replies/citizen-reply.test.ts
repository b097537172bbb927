import { describe, expect, it } from 'vitest';
import type { E164 } from '../../../src/core/phone.js';
import { applyReply, isAlreadyApplied, recordMarketingPreference } from '../../../src/core/replies/citizen-reply.js';
import { commandOf, parseReply } from '../../../src/core/replies/reply-command.js';
import type { SubscriberId } from '../../../src/core/subscriber.js';
import { aStore, aSubscriber } from '../../support/builders.js';

const phone = '+393331112222' as E164;
const at = '2026-11-28T10:00:00.000Z';
const newId = () => 'sub_new' as SubscriberId;
const reply = (text: string, messageId = 'wamid.1') => ({ command: parseReply(text), message: { phone, messageId, at } });

describe('applyReply', () => {
  it('STOP opts the citizen out of everything, with the message as the source in the consent history', () => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri', 'scuola'] })]);
    const { command, message } = reply('STOP');
    const outcome = applyReply(data, command, message, newId);
    expect(outcome.changed).toBe(true);
    expect(outcome.answer).toMatch(/non riceverai più messaggi/);
    expect(data.subscribers[0]).toMatchObject({ status: 'unsubscribed', history: [{ action: 'unsubscribed', source: 'whatsapp:wamid.1', at }] });
    expect(isAlreadyApplied(data, 'wamid.1')).toBe(true);
    expect(applyReply(data, command, message, newId).changed).toBe(false);
  });

  it('STOP with a label leaves only that topic', () => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri', 'raccolta-differenziata'] })]);
    const { command, message } = reply('stop Raccolta differenziata');
    expect(applyReply(data, command, message, newId)).toMatchObject({ changed: true, answer: expect.stringContaining('Raccolta differenziata') });
    expect(data.subscribers[0]).toMatchObject({ status: 'active', topics: ['cantieri'], optedOutTopics: ['raccolta-differenziata'] });
  });

  it('ISCRIVI from an unknown number creates a subscriber whose consent is the message', () => {
    const data = aStore();
    const { command, message } = reply('ISCRIVI scuola', 'wamid.join');
    const outcome = applyReply(data, command, message, newId);
    expect(outcome).toMatchObject({ changed: true, subscriberId: 'sub_new' });
    expect(data.subscribers).toEqual([
      expect.objectContaining({ id: 'sub_new', phone, topics: ['scuola'], channel: 'whatsapp', status: 'active', consent: expect.objectContaining({ source: 'whatsapp:wamid.join' }) }),
    ]);
  });

  it('ISCRIVI brings back a topic the citizen left, recorded as joined', () => {
    const data = aStore([aSubscriber({ phone, topics: [], optedOutTopics: ['cantieri'] as never, status: 'unsubscribed' })]);
    const { command, message } = reply('iscrivi cantieri');
    applyReply(data, command, message, newId);
    expect(data.subscribers[0]).toMatchObject({ status: 'active', topics: ['cantieri'], history: [{ action: 'topic-joined', topic: 'cantieri' }] });
    expect(data.subscribers[0]?.optedOutTopics).toBeUndefined();
  });

  it.each([
    ['Stop, grazie'],
    ['stop promotions'],
    ['basta così'],
    ['STOP!!!'],
    ['non voglio più messaggi'],
    ['STOP pizzeria'],
    ['Unsubscribe'],
  ])('%j is a full stop: the rest names no topic', (text) => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri', 'scuola'] })]);
    const { command, message } = reply(text);
    expect(applyReply(data, command, message, newId)).toMatchObject({ changed: true, answer: expect.stringMatching(/^Fatto: non riceverai più messaggi\./) });
    expect(data.subscribers[0]).toMatchObject({ status: 'unsubscribed', topics: ['cantieri', 'scuola'], history: [{ action: 'unsubscribed', source: 'whatsapp:wamid.1' }] });
  });

  it.each([
    ['STOP cantieri', 'cantieri'],
    ['Stop cantieri, grazie', 'cantieri'],
    ['basta messaggi sui cantieri per favore', 'cantieri'],
    ['non voglio più messaggi sulla raccolta differenziata', 'raccolta-differenziata'],
    ['UNSUB:scuola', 'scuola'],
  ])('%j leaves only %s', (text, topic) => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri', 'scuola', 'raccolta-differenziata'] })]);
    const { command, message } = reply(text);
    applyReply(data, command, message, newId);
    expect(data.subscribers[0]).toMatchObject({ status: 'active', optedOutTopics: [topic], history: [{ action: 'topic-left', topic }] });
  });

  it.each([
    ['ISCRIVI pizzeria', /Non conosco l'argomento "pizzeria"/],
    ['ARGOMENTI', /✓ cantieri — Cantieri/],
    ['AIUTO', /Comandi: STOP/],
    ['ciao', /Comandi: STOP/],
  ])('%s changes nothing and answers', (text, answer) => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri'] })]);
    const before = JSON.stringify(data);
    const { command, message } = reply(text);
    const outcome = applyReply(data, command, message, newId);
    expect(outcome.changed).toBe(false);
    expect(outcome.answer).toMatch(answer);
    expect(JSON.stringify(data)).toBe(before);
  });

  it('STOP from a number nobody has changes nothing', () => {
    const data = aStore();
    const { command, message } = reply('STOP');
    expect(applyReply(data, command, message, newId)).toEqual({ changed: false, answer: expect.stringMatching(/non è iscritto/) });
    expect(data.subscribers).toEqual([]);
  });
});

describe('applyReply by WhatsApp user id', () => {
  const userId = 'IT.13491208655302741918';

  it('a STOP with only a user id finds the subscriber who has it', () => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri'] }), aSubscriber({ id: 'sub_u' as SubscriberId, phone: undefined, whatsappUserId: userId, topics: ['cantieri'] } as never)]);
    const outcome = applyReply(data, parseReply('STOP'), { userId, messageId: 'wamid.u', at }, newId);
    expect(outcome).toMatchObject({ subscriberId: 'sub_u', changed: true });
    expect(data.subscribers.map((s) => s.status)).toEqual(['active', 'unsubscribed']);
  });

  it('learns the user id of a subscriber found by number, whatever they wrote', () => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri'] })]);
    expect(applyReply(data, parseReply('ARGOMENTI'), { phone, userId, messageId: 'wamid.t', at }, newId).changed).toBe(true);
    expect(data.subscribers[0]).toMatchObject({ whatsappUserId: userId, updatedAt: at });
    expect(applyReply(data, parseReply('ARGOMENTI'), { phone, userId, messageId: 'wamid.t2', at }, newId).changed).toBe(false);
  });

  describe('a user id another record already has', () => {
    // ISCRIVI from a username made sub_u; the city's import later brought the same citizen by number as sub_p
    const twoRecords = () =>
      aStore([
        aSubscriber({ id: 'sub_u' as SubscriberId, phone: undefined, whatsappUserId: userId, topics: ['cantieri', 'scuola'] } as never),
        aSubscriber({ id: 'sub_p' as SubscriberId, phone, topics: ['cantieri', 'scuola'] }),
      ]);

    it('stays with the record that had it first, and the outcome says which', () => {
      const data = twoRecords();
      const outcome = applyReply(data, parseReply('ARGOMENTI'), { phone, userId, messageId: 'wamid.a', at }, newId);
      expect(outcome).toMatchObject({ subscriberId: 'sub_p', changed: false, userIdTakenBy: 'sub_u' });
      expect(data.subscribers.map((s) => s.whatsappUserId)).toEqual([userId, undefined]);
      expect(data.subscribers.filter((s) => s.whatsappUserId === userId)).toHaveLength(1);
    });

    it.each([
      ['STOP', { status: 'unsubscribed', topics: ['cantieri', 'scuola'] }],
      ['STOP scuola', { status: 'active', topics: ['cantieri'] }],
    ])('%s holds on both records, which stay two', (words, after) => {
      const data = twoRecords();
      const outcome = applyReply(data, parseReply(words), { phone, userId, messageId: 'wamid.s', at }, newId);
      expect(outcome).toMatchObject({ subscriberId: 'sub_p', changed: true, userIdTakenBy: 'sub_u' });
      expect(data.subscribers).toHaveLength(2);
      for (const s of data.subscribers) expect(s).toMatchObject({ ...after, history: [expect.objectContaining({ source: 'whatsapp:wamid.s' })] });
      expect(data.subscribers[1]?.whatsappUserId).toBeUndefined();
    });
  });

  it('ISCRIVI from a username citizen creates a subscriber known by user id alone', () => {
    const data = aStore();
    applyReply(data, parseReply('ISCRIVI scuola'), { userId, messageId: 'wamid.j', at }, newId);
    expect(data.subscribers).toEqual([expect.objectContaining({ id: 'sub_new', whatsappUserId: userId, topics: ['scuola'], channel: 'whatsapp' })]);
    expect(data.subscribers[0]?.phone).toBeUndefined();
  });
});

describe('recordMarketingPreference', () => {
  it('finds the citizen by user id when Meta gives no number, and keeps it', () => {
    const data = aStore([aSubscriber({ whatsappUserId: 'IT.1', topics: ['eventi'] })]);
    expect(recordMarketingPreference(data, { userId: 'IT.1' }, 'stop', { at, source: 'whatsapp:user_preferences@2' })).toBe(true);
    expect(data.subscribers[0]).toMatchObject({ history: [{ action: 'marketing-stopped' }] });
  });

  it('records a user_preferences stop once, changing no topic', () => {
    const data = aStore([aSubscriber({ phone, topics: ['eventi'] })]);
    const change = { at, source: 'whatsapp:user_preferences@1' };
    expect(recordMarketingPreference(data, phone, 'stop', change)).toBe(true);
    expect(recordMarketingPreference(data, phone, 'stop', change)).toBe(false);
    expect(data.subscribers[0]).toMatchObject({ status: 'active', topics: ['eventi'], history: [{ action: 'marketing-stopped' }] });
  });
});

describe('applyReply: the topic list and taps on it', () => {
  const tap = (id: string, messageId = 'wamid.tap') => ({ command: commandOf([id, 'titolo']), message: { phone, messageId, at } });
  const notice = { version: '2026-03' };

  it('a stranger who writes anything gets the list, and is not subscribed', () => {
    const data = aStore();
    const outcome = applyReply(data, parseReply('buongiorno'), { phone, messageId: 'wamid.hi', at }, newId, { notice });
    expect(outcome).toMatchObject({ changed: false, content: { kind: 'list', body: expect.stringContaining('versione 2026-03') } });
    expect(outcome.subscriberId).toBeUndefined();
    expect(data.subscribers).toEqual([]);
  });

  it('a subscriber who writes something not understood gets the commands, not the list', () => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri'] })]);
    expect(applyReply(data, parseReply('buongiorno'), { phone, messageId: 'wamid.hi', at }, newId).content).toBeUndefined();
  });

  it.each(['ARGOMENTI', 'ISCRIVI'])('%s answers with the list, followed topics marked', (text) => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri'] })]);
    const outcome = applyReply(data, parseReply(text), { phone, messageId: 'wamid.l', at }, newId);
    expect(outcome.content).toMatchObject({ kind: 'list', sections: [{ rows: expect.arrayContaining([{ id: 'topic:cantieri', title: '✓ Cantieri', description: 'Lavori stradali, chiusure e deviazioni' }]) }] });
  });

  it('a stranger who taps a topic becomes a subscriber of it: the tap is the consent, with the notice version', () => {
    const data = aStore();
    const outcome = applyReply(data, tap('topic:scuola').command, tap('topic:scuola').message, newId, { notice });
    expect(outcome).toMatchObject({ subscriberId: 'sub_new', changed: true, content: { kind: 'buttons', body: expect.stringContaining('Ora segui: Scuola') } });
    expect(data.subscribers).toEqual([
      expect.objectContaining({ phone, topics: ['scuola'], channel: 'whatsapp', status: 'active', consent: { source: 'whatsapp:wamid.tap', at, note: 'tapped scuola in the WhatsApp topic list', notice: '2026-03' } }),
    ]);
  });

  it('a tap on a followed topic leaves it, a tap on another joins it, each in the consent history', () => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri', 'scuola'] })]);
    const left = applyReply(data, tap('topic:cantieri', 'wamid.1').command, tap('topic:cantieri', 'wamid.1').message, newId);
    expect(left).toMatchObject({ changed: true, answer: expect.stringMatching(/non riceverai più i messaggi su "Cantieri".*Ora segui: Scuola/) });
    const joined = applyReply(data, tap('topic:eventi', 'wamid.2').command, tap('topic:eventi', 'wamid.2').message, newId);
    expect(joined.content).toMatchObject({ body: expect.stringContaining('Ora segui: Scuola, Eventi'), buttons: [{ id: 'page:1' }, { id: 'stop', title: 'Annulla tutto' }] });
    expect(data.subscribers[0]).toMatchObject({
      topics: ['scuola', 'eventi'],
      optedOutTopics: ['cantieri'],
      history: [
        { action: 'topic-left', topic: 'cantieri', source: 'whatsapp:wamid.1' },
        { action: 'topic-joined', topic: 'eventi', source: 'whatsapp:wamid.2' },
      ],
    });
  });

  it('a tap after a full stop makes them active again with that topic', () => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri'], status: 'unsubscribed' })]);
    applyReply(data, tap('topic:cantieri').command, tap('topic:cantieri').message, newId);
    expect(data.subscribers[0]).toMatchObject({ status: 'active', topics: ['cantieri'], history: [{ action: 'topic-joined', topic: 'cantieri' }] });
  });

  it('a tap on a topic that was removed since changes nothing and shows the list again', () => {
    const data = aStore([aSubscriber({ phone, topics: ['cantieri'] })]);
    const outcome = applyReply(data, tap('topic:piscina').command, tap('topic:piscina').message, newId);
    expect(outcome).toMatchObject({ changed: false, answer: expect.stringContaining('Non conosco'), content: { kind: 'list' } });
  });

  it('"Altri argomenti" shows the next page', () => {
    const data = { ...aStore(), topics: Array.from({ length: 15 }, (_, i) => ({ id: `t${i}`, label: `Tema ${i}` })) } as never;
    const outcome = applyReply(data, tap('page:2').command, tap('page:2').message, newId);
    expect(outcome.content).toMatchObject({ kind: 'list', sections: [{ rows: expect.arrayContaining([{ id: 'topic:t14', title: 'Tema 14' }]) }] });
  });
});
