import { describe, expect, it, vi } from 'vitest';
import type { Email } from '../../src/core/email.js';
import { STATE } from '../../src/core/dispatch/journal-state.js';
import type { E164 } from '../../src/core/phone.js';
import type { Persistence } from '../../src/core/ports.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import { aSubscriber } from '../support/builders.js';
import { aCampaign, aList } from './campaign-builders.js';
import { THIS_PROCESS, type MakePorts } from './ports-under-test.js';

const anna = aSubscriber({ id: 'sub_anna' as SubscriberId, name: 'Anna Rossi', phone: '+393331234567' as E164, email: 'anna.rossi@example.it' as Email });
const at = '2026-11-28T10:00:00.000Z';

/** Campaign `id` to anna (positions 0 and 2, WhatsApp then e-mail) and bruno (1), sent, bruno's reply quoting anna's address. */
async function sentTo(ports: Persistence, id: string) {
  const campaign = aCampaign({ id, recipients: 3, channels: ['whatsapp', 'email'], startedAt: '2026-11-28T09:00:00.000Z' });
  await ports.campaigns.create(campaign, aList('sub_anna', 'sub_bruno:email', 'sub_anna:email'));
  const journal = await ports.campaigns.openJournal(campaign);
  await Promise.all([0, 1, 2].map((i) => journal.inFlight(i)));
  journal.sent(0, 'wamid.ANNA');
  journal.failed(1, { kind: 'recipient', code: 'SMTP_REJECTED', reason: 'the mailbox refused it', detail: '550 forwarding to anna.rossi@example.it refused' });
  journal.failed(2, { kind: 'recipient', code: 'SMTP_REJECTED', reason: 'the mailbox refused it', detail: '550 <anna.rossi@example.it> unknown' });
  await journal.close();
  return campaign;
}

/** The erasure part of the CampaignStore contract (DESIGN §5): a forgotten person leaves every campaign, the counts stay true. */
export function describeCampaignErasureContract(name: string, make: MakePorts): void {
  describe(`the CampaignStore erasure contract: ${name}`, () => {
    it('erases a person from every campaign: positions dropped, records scrubbed, id forgotten — outcomes and counts kept', async () => {
      const { ports } = await make(THIS_PROCESS);
      const first = await sentTo(ports, 'cmp_one');
      const second = await sentTo(ports, 'cmp_two');
      const before = await ports.campaigns.state(first);
      expect(await ports.campaigns.erase(anna)).toBe(6);
      for (const campaign of [first, second]) {
        const { deliveries, replay, report } = await ports.campaigns.state(campaign);
        expect(deliveries.map((d) => d.subscriberId)).toEqual(['forgotten', 'sub_bruno', 'forgotten']);
        expect([...replay.states]).toEqual([STATE.sent, STATE.failed, STATE.failed]);
        expect(report.counts).toEqual(before.report.counts);
        expect(replay.providerIds.has(0)).toBe(false);
        expect(replay.failures.get(2)).toEqual({ code: 'SMTP_REJECTED', kind: 'recipient', reason: 'the mailbox refused it' });
        expect(replay.failures.get(1)?.detail).not.toContain('anna.rossi@example.it');
        expect(replay.failures.get(1)?.detail).toContain('550 forwarding to');
      }
      const watch = await ports.campaigns.watchDropped('cmp_one');
      expect([...watch.positions].sort()).toEqual([0, 2]);
      await watch.close();
      expect(await ports.campaigns.erase(anna)).toBe(0);
    });

    it('tells a running send at once whom it must not reach any more (the dropped list it follows)', async () => {
      const { ports } = await make(THIS_PROCESS);
      await sentTo(ports, 'cmp_one');
      const watch = await ports.campaigns.watchDropped('cmp_one');
      expect(watch.positions.size).toBe(0);
      expect(await ports.campaigns.eraseFrom('cmp_one', anna)).toBe(3);
      // within a second (the JSON dropped list is read every half second)
      await vi.waitFor(() => expect([...watch.positions].sort()).toEqual([0, 2]), { timeout: 2000, interval: 20 });
      await watch.close();
    });

    it('names nobody in the receipts of a forgotten recipient, and keeps a forgotten one in the daily count by place', async () => {
      const { ports } = await make(THIS_PROCESS);
      await sentTo(ports, 'cmp_one');
      const receipts = ports.campaigns.receipts();
      expect(await receipts.record({ wamid: 'wamid.ANNA', status: 'delivered', at, campaignId: 'cmp_one' })).toMatchObject({ outcome: { subscriberId: 'sub_anna' } });
      await ports.campaigns.erase(anna);
      receipts.refresh();
      expect(await receipts.record({ wamid: 'wamid.ANNA', status: 'read', at, campaignId: 'cmp_one' })).toMatchObject({ kind: 'recorded', outcome: { subscriberId: 'forgotten' } });
      await receipts.close();
      const recent = await ports.campaigns.recentWhatsAppRecipients(new Date('2026-11-28T12:00:00.000Z'));
      expect([...recent.keys()]).toEqual(['cmp_one#0']);
    });

    it('stops a running send on the first account trouble reported after it started, not on what came before', async () => {
      const { ports } = await make(THIS_PROCESS);
      await sentTo(ports, 'cmp_one');
      expect(await ports.campaigns.lastTrouble('cmp_one')).toBeUndefined();
      await ports.campaigns.reportTrouble('cmp_one', { kind: 'fatal', code: 'WHATSAPP_PAYMENT', reason: 'the account has a payment problem' }, '2026-11-28T09:30:00.000Z');
      const trouble = new AbortController();
      const watch = await ports.campaigns.watchTrouble('cmp_one', trouble);
      expect(trouble.signal.aborted).toBe(false);
      await ports.campaigns.reportTrouble('cmp_one', { kind: 'fatal', code: 'WHATSAPP_BLOCKED', reason: 'the account is blocked' }, at);
      await vi.waitFor(() => expect(trouble.signal.aborted).toBe(true), { timeout: 2000, interval: 20 });
      expect(trouble.signal.reason).toEqual({ kind: 'fatal', code: 'WHATSAPP_BLOCKED', reason: 'the account is blocked' });
      await watch.close();
      expect(await ports.campaigns.lastTrouble('cmp_one')).toEqual({ at, code: 'WHATSAPP_BLOCKED', reason: 'the account is blocked' });
    });
  });
}
