import { describe, expect, it } from 'vitest';
import type { E164 } from '../../../src/core/phone.js';
import { applyIdentityChange, learnUserId, type IdentityChange } from '../../../src/core/replies/identity-change.js';
import { aStore, aSubscriber } from '../../support/builders.js';

const oldPhone = '+16505551234' as E164;
const newPhone = '+12195555358' as E164;
const at = '2026-11-28T10:00:00.000Z';
const moved: IdentityChange = { kind: 'number-changed', messageId: 'wamid.sys', at, before: { phone: oldPhone }, phone: newPhone };

describe('applyIdentityChange', () => {
  it('moves the subscriber to the new number, keeps their choices, and records where the change came from', () => {
    const data = aStore([aSubscriber({ phone: oldPhone, topics: ['cantieri'], whatsappUnreachable: true, whatsappUserId: 'US.old' })]);
    expect(applyIdentityChange(data, moved)).toEqual({ kind: 'moved', subscriberId: data.subscribers[0]?.id });
    const [subscriber] = data.subscribers;
    expect(subscriber).toMatchObject({ phone: newPhone, topics: ['cantieri'], status: 'active', updatedAt: at, history: [{ at, action: 'number-changed', source: 'whatsapp:wamid.sys', previous: oldPhone }] });
    // a new number starts reachable; the user id of the old one is stale (Meta renews it with the number)
    expect(subscriber?.whatsappUnreachable).toBeUndefined();
    expect(subscriber?.whatsappUserId).toBeUndefined();
  });

  it('keeps the renewed user id that came with the number change', () => {
    const data = aStore([aSubscriber({ phone: oldPhone, whatsappUserId: 'US.old' })]);
    applyIdentityChange(data, { ...moved, before: { phone: oldPhone, userId: 'US.old' }, userId: 'US.new' });
    expect(data.subscribers[0]).toMatchObject({ phone: newPhone, whatsappUserId: 'US.new' });
  });

  it('finds a username citizen by their previous user id', () => {
    const data = aStore([aSubscriber({ phone: undefined, whatsappUserId: 'US.old' } as never)]);
    expect(applyIdentityChange(data, { ...moved, before: { userId: 'US.old' } }).kind).toBe('moved');
    expect(data.subscribers[0]).toMatchObject({ phone: newPhone });
  });

  it('is applied once: Meta redelivers', () => {
    const data = aStore([aSubscriber({ phone: oldPhone })]);
    applyIdentityChange(data, moved);
    const after = JSON.stringify(data);
    expect(applyIdentityChange(data, moved).kind).toBe('already-applied');
    expect(JSON.stringify(data)).toBe(after);
  });

  it.each([
    ['nobody has the old number', [aSubscriber({ phone: '+393330000001' as E164 })], 'unknown-citizen'],
    ['another subscriber has the new number', [aSubscriber({ phone: oldPhone }), aSubscriber({ phone: newPhone })], 'number-taken'],
  ])('changes nothing when %s', (_, subscribers, kind) => {
    const data = aStore(subscribers);
    const before = JSON.stringify(data);
    expect(applyIdentityChange(data, moved).kind).toBe(kind);
    expect(JSON.stringify(data)).toBe(before);
  });

  it('user_changed_user_id replaces the stored user id, recording the previous one', () => {
    const data = aStore([aSubscriber({ phone: oldPhone, whatsappUserId: 'US.old' })]);
    const change: IdentityChange = { kind: 'user-id-changed', messageId: 'wamid.uid', at, before: { userId: 'US.old' }, userId: 'US.new' };
    expect(applyIdentityChange(data, change).kind).toBe('user-id-updated');
    expect(data.subscribers[0]).toMatchObject({ phone: oldPhone, whatsappUserId: 'US.new', history: [{ action: 'user-id-changed', previous: 'US.old', source: 'whatsapp:wamid.uid' }] });
    expect(applyIdentityChange(data, change).kind).toBe('already-applied');
  });
});

describe('learnUserId', () => {
  it.each([
    ['a new user id', 'US.1', 'learnt'],
    ['the same one again', 'US.0', 'unchanged'],
    ['an empty one', '', 'unchanged'],
  ])('%s: %s', (_, userId, kind) => {
    const data = aStore([aSubscriber({ id: 'sub_a' as never, whatsappUserId: 'US.0' })]);
    expect(learnUserId(data, 'sub_a' as never, userId, at)).toEqual({ kind });
    expect(data.subscribers[0]?.whatsappUserId).toBe(kind === 'learnt' ? userId : 'US.0');
  });

  it('changes nothing for an id nobody has', () => {
    expect(learnUserId(aStore([]), 'forgotten' as never, 'US.1', at)).toEqual({ kind: 'unchanged' });
  });

  it('never gives a user id another subscriber has: the first keeps it, and the outcome names them', () => {
    // ISCRIVI from a username made sub_u; the city's import has the same citizen by number as sub_p
    const data = aStore([
      aSubscriber({ id: 'sub_u' as never, phone: undefined, whatsappUserId: 'US.13491208655302741918' } as never),
      aSubscriber({ id: 'sub_p' as never, phone: oldPhone }),
    ]);
    expect(learnUserId(data, 'sub_p' as never, 'US.13491208655302741918', at)).toEqual({ kind: 'taken', holder: 'sub_u' });
    expect(data.subscribers.map((s) => s.whatsappUserId)).toEqual(['US.13491208655302741918', undefined]);
  });
});

describe('identity changes never give two subscribers one user id', () => {
  const twoRecords = () =>
    aStore([aSubscriber({ id: 'sub_u' as never, phone: undefined, whatsappUserId: 'US.taken' } as never), aSubscriber({ id: 'sub_p' as never, phone: oldPhone, whatsappUserId: 'US.old' })]);

  it('a user id change to one another subscriber has changes nothing and names them', () => {
    const data = twoRecords();
    const change: IdentityChange = { kind: 'user-id-changed', messageId: 'wamid.uid', at, before: { phone: oldPhone, userId: 'US.old' }, userId: 'US.taken' };
    expect(applyIdentityChange(data, change)).toEqual({ kind: 'user-id-taken', subscriberId: 'sub_p', takenBy: 'sub_u' });
    expect(data.subscribers.map((s) => s.whatsappUserId)).toEqual(['US.taken', 'US.old']);
    expect(data.subscribers[1]?.history).toBeUndefined();
  });

  it('a number change moves the number but leaves a renewed user id another subscriber has with them', () => {
    const data = twoRecords();
    expect(applyIdentityChange(data, { ...moved, userId: 'US.taken' })).toEqual({ kind: 'moved', subscriberId: 'sub_p', userIdTakenBy: 'sub_u' });
    expect(data.subscribers[1]).toMatchObject({ phone: newPhone });
    expect(data.subscribers[1]?.whatsappUserId).toBeUndefined();
    expect(data.subscribers[0]?.whatsappUserId).toBe('US.taken');
  });
});
