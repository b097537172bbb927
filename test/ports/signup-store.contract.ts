import { describe, expect, it } from 'vitest';
import type { E164 } from '../../src/core/phone.js';
import { addPending, claimToken, EMPTY_SIGNUPS, type PendingSignup } from '../../src/core/signup/pending-signups.js';
import type { TopicId } from '../../src/core/topic.js';
import { OTHER_PROCESS, THIS_PROCESS, type MakePorts } from './ports-under-test.js';

/** A web sign-up for cantieri on WhatsApp, made at 10:00 on 3 December 2026 and waiting a week. */
export const aSignup = (id: string, overrides: Partial<PendingSignup> = {}): PendingSignup => ({
  id,
  at: '2026-12-03T10:00:00.000Z',
  expiresAt: '2026-12-10T10:00:00.000Z',
  name: 'Anna Rossi',
  phone: `+3933312345${id.slice(-2).padStart(2, '0')}` as E164,
  topics: ['cantieri' as TopicId],
  channel: 'whatsapp',
  code: '4821',
  notice: '1',
  ...overrides,
});

const adding = (signup: PendingSignup) => (book: typeof EMPTY_SIGNUPS) => addPending(book, signup);

/** The SignupStore contract (DESIGN §5): one book, updates serialised across processes and kept whole, or not at all. */
export function describeSignupStoreContract(name: string, make: MakePorts): void {
  describe(`the SignupStore contract: ${name}`, () => {
    it('starts empty; an update keeps the book its change returns and gives back its result', async () => {
      const { ports } = await make(THIS_PROCESS);
      expect(await ports.signups.read()).toEqual(EMPTY_SIGNUPS);
      expect(await ports.signups.update(adding(aSignup('sig_01')))).toEqual([]);
      const book = await ports.signups.read();
      expect(book.pending).toEqual([aSignup('sig_01')]);
      expect(book.days).toEqual([{ day: '2026-12-03', channel: 'whatsapp', requested: 1, confirmed: 0, expired: 0 }]);
    });

    it('serialises updates across processes: sign-ups made at once are all kept, a token claimed at once is claimed once', async () => {
      const { ports, as } = await make(THIS_PROCESS);
      const other = as(OTHER_PROCESS);
      await Promise.all([ports.signups.update(adding(aSignup('sig_01'))), other.signups.update(adding(aSignup('sig_02'))), ports.signups.update(adding(aSignup('sig_03')))]);
      expect((await other.signups.read()).pending.map((p) => p.id).sort()).toEqual(['sig_01', 'sig_02', 'sig_03']);
      const claim = (s: typeof ports) => s.signups.update((book) => claimToken(book, 'nonce-1', '2026-12-03T12:00:00.000Z', '2026-12-03T10:00:00.000Z'));
      const claims = await Promise.all([claim(ports), claim(other), claim(ports), claim(other)]);
      expect(claims.filter((c) => c)).toHaveLength(1);
    });

    it('keeps nothing of an update whose change throws, and the next one goes on', async () => {
      const { ports } = await make(THIS_PROCESS);
      await ports.signups.update(adding(aSignup('sig_01')));
      const failing = ports.signups.update((book) => {
        (book.pending as PendingSignup[]).splice(0);
        throw new Error('refused');
      });
      const next = ports.signups.update(adding(aSignup('sig_02')));
      await expect(failing).rejects.toThrow('refused');
      await next;
      expect((await ports.signups.read()).pending.map((p) => p.id)).toEqual(['sig_01', 'sig_02']);
    });

    it('hands out copies: changing what read returned changes nothing kept', async () => {
      const { ports } = await make(THIS_PROCESS);
      await ports.signups.update(adding(aSignup('sig_01')));
      const read = await ports.signups.read();
      (read.pending as PendingSignup[]).splice(0);
      expect((await ports.signups.read()).pending).toHaveLength(1);
    });

    it('keeps every field of a sign-up as given, an e-mail one and a name with any characters included', async () => {
      const { ports } = await make(THIS_PROCESS);
      const mail = aSignup('sig_01', { channel: 'email', email: 'anna@example.it' as PendingSignup['email'], name: 'Zoë "Ann" <O\'Brien> 🚧', topics: ['cantieri' as TopicId, 'scuola' as TopicId], notice: '2026-03' });
      await ports.signups.update(adding(mail));
      expect((await ports.signups.read()).pending).toEqual([mail]);
      expect(ports.signups.whereIs()).toMatch(/signups/);
    });
  });
}
