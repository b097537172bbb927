import { describe, expect, it } from 'vitest';
import { STATE } from '../../src/core/dispatch/journal-state.js';
import type { Persistence } from '../../src/core/ports.js';
import type { StatusEvent } from '../../src/core/whatsapp-status.js';
import { aCampaign, aList } from './campaign-builders.js';
import { THIS_PROCESS, type MakePorts } from './ports-under-test.js';

const at = '2026-11-28T10:00:00.000Z';
const UNDELIVERABLE = { kind: 'recipient', code: 'WHATSAPP_UNDELIVERABLE', reason: 'the number cannot receive this message' } as const;
const status = (wamid: string, s: StatusEvent['status'], extra: Partial<StatusEvent> = {}): StatusEvent => ({ wamid, status: s, at, campaignId: 'cmp_r', ...extra });

/**
 * A campaign being sent to sub_a, sub_b and sub_c: sub_a sent (wamid.A), sub_b sent (wamid.B), sub_c in flight
 * (`lost`: its answer lost, unknown).
 */
async function sending(ports: Persistence, options: { readonly lost?: boolean } = {}) {
  const campaign = aCampaign({ id: 'cmp_r', recipients: 3, startedAt: '2026-11-28T09:00:00.000Z' });
  await ports.campaigns.create(campaign, aList('sub_a', 'sub_b', 'sub_c'));
  const journal = await ports.campaigns.openJournal(campaign);
  await Promise.all([journal.inFlight(0), journal.inFlight(1)]);
  journal.sent(0, 'wamid.A');
  journal.sent(1, 'wamid.B');
  if (options.lost === true) {
    await journal.inFlight(2);
    journal.unknown(2, { kind: 'transient', code: 'WHATSAPP_TIMEOUT', reason: 'no answer' });
  }
  await journal.close();
  return { campaign, receipts: ports.campaigns.receipts(), replay: () => ports.campaigns.replay(campaign, 3) };
}

/** The receipts part of the CampaignStore contract (DESIGN §5, §7.2): a receipt moves its recipient forward only. */
export function describeReceiptsContract(name: string, make: MakePorts): void {
  describe(`the CampaignStore receipts contract: ${name}`, () => {
    it('records delivered and read once each; redeliveries and late statuses are duplicates', async () => {
      const { receipts, replay } = await sending((await make(THIS_PROCESS)).ports);
      await receipts.warm(['cmp_r', 'cmp_none']);
      expect(await receipts.record(status('wamid.A', 'delivered'))).toEqual({ kind: 'recorded', outcome: { subscriberId: 'sub_a', status: 'delivered' } });
      expect(await receipts.record(status('wamid.A', 'delivered'))).toEqual({ kind: 'duplicate' });
      expect((await receipts.record(status('wamid.A', 'read'))).kind).toBe('recorded');
      expect((await receipts.record(status('wamid.A', 'delivered'))).kind).toBe('duplicate');
      expect((await receipts.record(status('wamid.A', 'failed', { failure: UNDELIVERABLE }))).kind).toBe('duplicate');
      expect([...(await replay()).states]).toEqual([STATE.read, STATE.sent, STATE.pending]);
      await receipts.close();
    });

    it('records a failed status as a failed recipient with its code; a later delivered wins (multi-device)', async () => {
      const { receipts, replay } = await sending((await make(THIS_PROCESS)).ports);
      expect(await receipts.record(status('wamid.B', 'failed', { failure: UNDELIVERABLE }))).toEqual({ kind: 'recorded', outcome: { subscriberId: 'sub_b', status: 'failed', code: 'WHATSAPP_UNDELIVERABLE' } });
      expect((await replay()).failures.get(1)).toMatchObject({ code: 'WHATSAPP_UNDELIVERABLE', kind: 'recipient' });
      expect((await receipts.record(status('wamid.B', 'delivered'))).kind).toBe('recorded');
      expect((await replay()).states[1]).toBe(STATE.delivered);
      await receipts.close();
    });

    it('says an id the sending campaign has not journalled yet is waiting, records it once it has; once the campaign ended, not ours', async () => {
      const { ports } = await make(THIS_PROCESS);
      const { campaign, receipts } = await sending(ports);
      expect(await receipts.record(status('wamid.C', 'delivered'))).toEqual({ kind: 'waiting' });
      const journal = await ports.campaigns.openJournal(campaign);
      await journal.inFlight(2);
      journal.sent(2, 'wamid.C');
      await journal.close();
      expect(await receipts.record(status('wamid.C', 'delivered'))).toEqual({ kind: 'recorded', outcome: { subscriberId: 'sub_c', status: 'delivered' } });
      await ports.campaigns.save({ ...campaign, status: 'completed' });
      receipts.refresh();
      expect(await receipts.record(status('wamid.Z', 'delivered'))).toEqual({ kind: 'not-ours' });
      await receipts.close();
    });

    it('places no receipt without a campaign of this store', async () => {
      const { receipts } = await sending((await make(THIS_PROCESS)).ports);
      expect(await receipts.record(status('wamid.A', 'delivered', { campaignId: 'cmp_nope' }))).toEqual({ kind: 'no-campaign' });
      expect(await receipts.record(status('wamid.A', 'delivered', { campaignId: '../../etc' }))).toEqual({ kind: 'no-campaign' });
      expect(await receipts.record({ wamid: 'wamid.A', status: 'delivered', at })).toEqual({ kind: 'no-campaign' });
      expect(await receipts.record(status('wamid.A', 'sent'))).toEqual({ kind: 'no-campaign' });
      await receipts.close();
    });

    it('settles a recipient whose answer was lost from a receipt naming their position: sent by receipt, once, then delivered', async () => {
      const { receipts, replay } = await sending((await make(THIS_PROCESS)).ports, { lost: true });
      const results = await Promise.all([receipts.record(status('wamid.C', 'sent', { recipientIndex: 2 })), receipts.record(status('wamid.C', 'delivered', { recipientIndex: 2 })), receipts.record(status('wamid.C', 'read', { recipientIndex: 2 }))]);
      expect(results.map((r) => r.kind).sort()).toEqual(['duplicate', 'recorded', 'recorded']);
      const replayed = await replay();
      expect(replayed.states[2]).toBe(STATE.read);
      expect(replayed.providerIds.get(2)).toBe('wamid.C');
      expect([...replayed.settledByReceipt]).toEqual([2]);
      expect(replayed.unanswered.size).toBe(0);
      await receipts.close();
    });

    it('leaves a recipient who has a message id alone: a second id is a duplicate send, its receipts change nothing', async () => {
      const { receipts, replay } = await sending((await make(THIS_PROCESS)).ports);
      const before = await replay();
      expect(await receipts.record(status('wamid.A2', 'failed', { recipientIndex: 0, failure: UNDELIVERABLE }))).toEqual({ kind: 'duplicate' });
      expect(await replay()).toEqual(before);
      await receipts.close();
    });

    it('waits while the live send still has the request out (in flight, no answer); settles once that send is gone', async () => {
      const { ports } = await make(THIS_PROCESS);
      const campaign = aCampaign({ id: 'cmp_r', recipients: 3 });
      await ports.campaigns.create(campaign, aList('sub_a', 'sub_b', 'sub_c'));
      const journal = await ports.campaigns.openJournal(campaign);
      await journal.inFlight(2);
      const receipts = ports.campaigns.receipts();
      const during = await ports.locks.withSendLock({ campaign: 'cmp_r' }, () => receipts.record(status('wamid.C', 'delivered', { recipientIndex: 2 })));
      expect(during).toEqual({ kind: 'waiting' });
      await journal.close();
      receipts.refresh();
      expect(await receipts.record(status('wamid.C', 'delivered', { recipientIndex: 2 }))).toEqual({ kind: 'recorded', outcome: { subscriberId: 'sub_c', status: 'delivered' } });
      expect([...(await ports.campaigns.replay(campaign, 3)).settledByReceipt]).toEqual([2]);
      await receipts.close();
    });
  });
}
