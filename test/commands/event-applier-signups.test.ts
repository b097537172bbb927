import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { HomeSignupStore } from '../../src/adapters/signup/home-signup-store.js';
import type { Email } from '../../src/core/email.js';
import type { E164 } from '../../src/core/phone.js';
import { addPending, type PendingSignup } from '../../src/core/signup/pending-signups.js';
import type { TopicId } from '../../src/core/topic.js';
import { aStore, aSubscriber } from '../support/builders.js';
import { aHome, AT, fakeReplies, memoryStore, startApplier, textPayload, type Running } from './applier-harness.js';

let home = '';
const open: Running[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  await rm(home, { recursive: true, force: true });
});

const pending = (id: string, overrides: Partial<PendingSignup> = {}): PendingSignup => ({
  id,
  at: '2026-11-28T09:00:00.000Z',
  expiresAt: '2026-12-05T09:00:00.000Z',
  name: 'Anna Rossi',
  email: 'anna@example.it' as Email,
  topics: ['cantieri', 'scuola'] as TopicId[],
  channel: 'email',
  code: '4821',
  notice: '3',
  ...overrides,
});

async function withPending(...signups: PendingSignup[]): Promise<HomeSignupStore> {
  const store = new HomeSignupStore(home);
  for (const s of signups) await store.update((book) => addPending(book, s));
  return store;
}

describe('EventApplier: web sign-ups confirmed', () => {
  it("the e-mail link's confirmation makes them a subscriber with the page's consent and the notice version, once; the sign-up is let go", async () => {
    home = await aHome([], 0);
    const signups = await withPending(pending('sig_a'));
    const data = aStore();
    const running = await startApplier(home, memoryStore(data), fakeReplies());
    open.push(running);
    await running.log.recordPage(AT, { confirmation: { signupId: 'sig_a', source: 'web:iscriviti' } });
    await running.log.recordPage(AT, { confirmation: { signupId: 'sig_a', source: 'web:iscriviti' } });
    await running.applied();
    expect(data.subscribers).toHaveLength(1);
    expect(data.subscribers[0]).toMatchObject({ email: 'anna@example.it', name: 'Anna Rossi', topics: ['cantieri', 'scuola'], channel: 'email', status: 'active', consent: { source: 'web:iscriviti:sig_a', at: AT, notice: '3' } });
    const book = await signups.read();
    expect(book.pending).toEqual([]);
    expect(book.days.find((d) => d.channel === 'email')).toMatchObject({ requested: 1, confirmed: 1, expired: 0 });
  });

  it('one who opted out is re-subscribed by their own confirmation, which their history records', async () => {
    home = await aHome([], 0);
    await withPending(pending('sig_b'));
    const before = aSubscriber({ email: 'anna@example.it' as Email, channel: 'email', topics: [], status: 'unsubscribed', optedOutTopics: ['cantieri'] });
    const data = aStore([before]);
    const running = await startApplier(home, memoryStore(data), fakeReplies());
    open.push(running);
    await running.log.recordPage(AT, { confirmation: { signupId: 'sig_b', source: 'web:iscriviti' } });
    await running.applied();
    const after = data.subscribers[0];
    expect(after).toMatchObject({ id: before.id, status: 'active', topics: ['cantieri', 'scuola'] });
    expect(after?.optedOutTopics).toBeUndefined();
    expect(after?.history?.map((e) => `${e.action} ${e.topic ?? ''} ${e.source}`)).toEqual(['resubscribed  web:iscriviti:sig_b', 'topic-joined cantieri web:iscriviti:sig_b', 'topic-joined scuola web:iscriviti:sig_b']);
  });

  it('CONFERMA with the code from the number of the sign-up subscribes them and answers; a wrong code or another number subscribes nobody', async () => {
    home = await aHome([], 0);
    const phone = '+393331112233' as E164;
    await withPending(pending('sig_c', { channel: 'whatsapp', phone, email: undefined, code: '5170' }));
    const data = aStore();
    const replies = fakeReplies();
    const running = await startApplier(home, memoryStore(data), replies);
    open.push(running);
    await running.log.record(AT, textPayload('393331112233', 'wamid.wrong', 'CONFERMA 1111'));
    await running.log.record(AT, textPayload('393339999999', 'wamid.other', 'CONFERMA 5170'));
    await running.applied();
    expect(data.subscribers).toEqual([]);
    await running.log.record(AT, textPayload('393331112233', 'wamid.right', 'conferma 5170'));
    await running.applied();
    await running.applier.close();
    expect(data.subscribers).toHaveLength(1);
    expect(data.subscribers[0]).toMatchObject({ phone, channel: 'whatsapp', topics: ['cantieri', 'scuola'], consent: { source: 'web:iscriviti:sig_c', notice: '3' } });
    expect(data.subscribers[0]?.consent.note).toContain('whatsapp:wamid.right');
    const answers = replies.sent.map((e) => (e.channel === 'whatsapp' && e.content.kind === 'text' ? e.content.body : ''));
    expect(answers.filter((a) => a.startsWith('Questo codice non è valido'))).toHaveLength(2);
    expect(answers.at(-1)).toMatch(/^Fatto: iscrizione confermata\. Riceverai i messaggi su: «.+», «.+»/);
  });

  it('a sign-up past its time at the moment of the confirmation confirms nothing', async () => {
    home = await aHome([], 0);
    await withPending(pending('sig_d', { expiresAt: '2026-11-28T09:30:00.000Z' }));
    const data = aStore();
    const running = await startApplier(home, memoryStore(data), fakeReplies());
    open.push(running);
    await running.log.recordPage(AT, { confirmation: { signupId: 'sig_d', source: 'web:iscriviti' } });
    await running.applied();
    expect(data.subscribers).toEqual([]);
  });

  it('a crash after the store change and before the sign-up is let go: the restart adds nobody twice and counts one confirmation', async () => {
    home = await aHome([], 0);
    const signups = await withPending(pending('sig_e'));
    const data = aStore();
    const crashing = await startApplier(home, memoryStore(data), fakeReplies(), {
      beforeStep: (step) => {
        if (step === 'signups') throw new Error('crash');
      },
    });
    await crashing.log.recordPage(AT, { confirmation: { signupId: 'sig_e', source: 'web:iscriviti' } });
    await crashing.warned();
    await crashing.close();
    expect(data.subscribers).toHaveLength(1);
    expect((await signups.read()).pending).toHaveLength(1);
    const restarted = await startApplier(home, memoryStore(data), fakeReplies());
    open.push(restarted);
    await restarted.applied();
    expect(data.subscribers).toHaveLength(1);
    const book = await signups.read();
    expect(book.pending).toEqual([]);
    expect(book.days[0]?.confirmed).toBe(1);
  });
});
