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
    ['a new user id', 'US.1', true],
    ['the same one again', 'US.0', false],
    ['an empty one', '', false],
  ])('%s: changed %s', (_, userId, changed) => {
    const data = aStore([aSubscriber({ id: 'sub_a' as never, whatsappUserId: 'US.0' })]);
    expect(learnUserId(data, 'sub_a' as never, userId, at)).toBe(changed);
    expect(data.subscribers[0]?.whatsappUserId).toBe(changed ? userId : 'US.0');
  });

  it('changes nothing for an id nobody has', () => {
    expect(learnUserId(aStore([]), 'forgotten' as never, 'US.1', at)).toBe(false);
  });
});
