import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../src/core/campaign.js';
import type { CampaignStore } from '../../src/core/ports.js';
import { remainingAfter, STATE } from '../../src/core/dispatch/journal-state.js';
import { aCampaign, aList } from './campaign-builders.js';
import { THIS_PROCESS, type MakePorts } from './ports-under-test.js';

const TIMEOUT = { kind: 'transient', code: 'WHATSAPP_TIMEOUT', reason: 'no answer in 30 s' } as const;
const NOT_ON_WHATSAPP = { kind: 'recipient', code: 'WHATSAPP_UNDELIVERABLE', reason: 'not on WhatsApp', detail: 'Graph said 131026' } as const;

/** A campaign of `size` WhatsApp recipients, frozen. */
async function frozen(store: CampaignStore, id: string, size: number, overrides: Partial<Omit<Campaign, 'id'>> = {}) {
  const campaign = aCampaign({ id, recipients: size, ...overrides });
  await store.create(campaign, aList(...Array.from({ length: size }, (_, i) => `sub_${i}`)));
  return campaign;
}

/** The CampaignStore contract (DESIGN §5): records and frozen lists, the journal and its replay from every state. */
export function describeCampaignStoreContract(name: string, make: MakePorts): void {
  describe(`the CampaignStore contract: ${name}`, () => {
    it('creates a campaign with its frozen list; load, inspect and recipients give them back as copies', async () => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      const campaign = aCampaign({ id: 'cmp_a', recipients: 3, channels: ['whatsapp', 'email'], rates: { whatsapp: 20 }, concurrency: 4 });
      const list = aList('sub_a', 'sub_b:email', 'sub_a:email');
      await campaigns.create(campaign, list);
      expect(await campaigns.load('cmp_a')).toEqual(campaign);
      expect(await campaigns.inspect('cmp_a')).toEqual({ kind: 'ok', campaign });
      expect(await campaigns.hasRecord('cmp_a')).toBe(true);
      const recipients = await campaigns.recipients(campaign);
      expect(recipients).toEqual(list);
      (recipients as unknown as unknown[]).pop();
      ((await campaigns.load('cmp_a')) as { status: string }).status = 'completed';
      expect(await campaigns.recipients(campaign)).toEqual(list);
      expect((await campaigns.load('cmp_a')).status).toBe('sending');
      expect(campaigns.whereIs('cmp_a')).toContain('cmp_a');
      expect(campaigns.journalPath('cmp_a')).toContain('cmp_a');
    });

    it('creates atomically: a second create of the same id is refused and the first stays whole; nothing is left over', async () => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      const first = await frozen(campaigns, 'cmp_a', 2);
      await expect(campaigns.create(aCampaign({ id: 'cmp_a', recipients: 1 }), aList('sub_z'))).rejects.toMatchObject({ code: 'CAMPAIGN_EXISTS' });
      expect(await campaigns.load('cmp_a')).toEqual(first);
      expect(await campaigns.recipients(first)).toEqual(aList('sub_0', 'sub_1'));
      expect(await campaigns.leftovers()).toEqual([]);
      expect(await campaigns.removeLeftovers()).toBe(0);
    });

    it('lists campaigns oldest first (then by id), reporting none damaged', async () => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      await frozen(campaigns, 'cmp_late', 0, { createdAt: '2026-11-29T09:00:00.000Z' });
      await frozen(campaigns, 'cmp_b', 0);
      await frozen(campaigns, 'cmp_a', 0);
      expect((await campaigns.list()).map((c) => c.id)).toEqual(['cmp_a', 'cmp_b', 'cmp_late']);
      expect(await campaigns.scan()).toEqual({ campaigns: await campaigns.list(), damaged: [] });
    });

    it('says a campaign is not there (CAMPAIGN_NOT_FOUND, how to list them) and refuses what is not a campaign id', async () => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      await expect(campaigns.load('cmp_none')).rejects.toMatchObject({ code: 'CAMPAIGN_NOT_FOUND', message: expect.stringContaining('canale campaigns list') });
      expect(await campaigns.inspect('cmp_none')).toEqual({ kind: 'missing' });
      expect(await campaigns.hasRecord('cmp_none')).toBe(false);
      await expect(campaigns.load('../etc')).rejects.toMatchObject({ code: 'CAMPAIGN_ID_INVALID' });
      expect(campaigns.damaged('cmp_x', 'its record is torn')).toMatchObject({ code: 'CAMPAIGN_DAMAGED', message: expect.stringContaining('canale campaigns cancel cmp_x') });
    });

    it('saves status and options; remove takes the campaign and all of it away', async () => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      const campaign = await frozen(campaigns, 'cmp_a', 1);
      const done = { ...campaign, status: 'completed' as const, finishedAt: '2026-11-28T10:00:00.000Z', stopCode: 'SIGNAL', throttling: { whatsapp: { answers: 1, slowdowns: 1, lowestRate: 10 } } };
      await campaigns.save(done);
      expect(await campaigns.load('cmp_a')).toEqual(done);
      expect((await campaigns.list()).map((c) => c.status)).toEqual(['completed']);
      await campaigns.remove('cmp_a');
      expect(await campaigns.inspect('cmp_a')).toEqual({ kind: 'missing' });
      expect(await campaigns.hasRecord('cmp_a')).toBe(false);
      expect(await campaigns.list()).toEqual([]);
    });

    it('checks the frozen list against the record: another count is CAMPAIGN_DAMAGED; a campaign of nobody has an empty list', async () => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      const campaign = await frozen(campaigns, 'cmp_a', 2);
      await expect(campaigns.recipients({ ...campaign, recipients: 3 })).rejects.toMatchObject({ code: 'CAMPAIGN_DAMAGED', message: expect.stringMatching(/2 recipient\(s\), its record says 3/) });
      const nobody = await frozen(campaigns, 'cmp_empty', 0);
      expect(await campaigns.recipients(nobody)).toEqual([]);
      expect((await campaigns.state(nobody)).report.counts.targeted).toBe(0);
    });

    it('keeps each in-flight record before inFlight resolves, many at once (group commit)', async () => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      const campaign = await frozen(campaigns, 'cmp_a', 4);
      const journal = await campaigns.openJournal(campaign);
      await Promise.all([0, 1, 2].map((i) => journal.inFlight(i)));
      expect([...(await campaigns.replay(campaign, 4)).states]).toEqual([STATE.unknown, STATE.unknown, STATE.unknown, STATE.pending]);
      journal.sent(0, 'wamid.A');
      await journal.close();
      expect((await campaigns.replay(campaign, 4)).providerIds.get(0)).toBe('wamid.A');
    });

    it('writes on close a record made the instant its inFlight resolved: a send stopped then loses none', async () => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      const campaign = await frozen(campaigns, 'cmp_a', 2);
      const journal = await campaigns.openJournal(campaign);
      await journal.inFlight(0);
      journal.released(0);
      await journal.close();
      expect([...(await campaigns.replay(campaign, 2)).states]).toEqual([STATE.pending, STATE.pending]);
    });

    type Step = (j: Awaited<ReturnType<CampaignStore['openJournal']>>) => void | Promise<void>;
    const inFlight: Step = (j) => j.inFlight(0);
    const at = '2026-11-28T09:00:00.000Z';
    it.each<[string, Step[], number, object]>([
      ['nothing yet: pending', [], STATE.pending, {}],
      ['in flight when the send died: unknown', [inFlight], STATE.unknown, {}],
      ['sent', [inFlight, (j) => j.sent(0, 'wamid.A')], STATE.sent, { providerIds: new Map([[0, 'wamid.A']]), lastSendAt: at }],
      ['failed, with its code and reply', [inFlight, (j) => j.failed(0, NOT_ON_WHATSAPP)], STATE.failed, { failures: new Map([[0, { code: 'WHATSAPP_UNDELIVERABLE', kind: 'recipient', reason: 'not on WhatsApp', detail: 'Graph said 131026' }]]) }],
      ['unanswered: unknown, and why', [inFlight, (j) => j.unknown(0, TIMEOUT)], STATE.unknown, { unanswered: new Map([[0, { code: 'WHATSAPP_TIMEOUT', reason: 'no answer in 30 s' }]]), lastSendAt: at }],
      ['skipped, and why', [(j) => j.skipped(0, 'opted-out-during-send')], STATE.skipped, { skips: new Map([[0, 'opted-out-during-send']]) }],
      ['released before its request left: pending again', [inFlight, (j) => j.released(0)], STATE.pending, {}],
      ['failed, then taken up again by a resume (released): pending', [inFlight, (j) => j.failed(0, { ...TIMEOUT, code: 'HTTP_503' }), (j) => j.released(0)], STATE.pending, { failures: new Map() }],
      ['sent twice never counts twice', [inFlight, (j) => j.sent(0, 'wamid.A'), (j) => j.sent(0, 'wamid.A')], STATE.sent, {}],
    ])('replays a journal whose recipient was %s', async (_what, steps, state, replayed) => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      const campaign = await frozen(campaigns, 'cmp_a', 2);
      const journal = await campaigns.openJournal(campaign);
      for (const step of steps) await step(journal);
      await journal.close();
      const replay = await campaigns.replay(campaign, 2);
      expect([...replay.states]).toEqual([state, STATE.pending]);
      expect(replay).toMatchObject(replayed);
      expect((await campaigns.state(campaign)).replay).toEqual(replay);
    });

    it('goes on with the same journal after a resume reopens it, and reports the whole', async () => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      const campaign = await frozen(campaigns, 'cmp_a', 4, { channels: ['whatsapp', 'email'] });
      const first = await campaigns.openJournal(campaign);
      await first.inFlight(0);
      first.sent(0, 'wamid.A');
      await first.inFlight(1);
      first.failed(1, NOT_ON_WHATSAPP);
      await first.inFlight(2);
      await first.close();
      const resumed = await campaigns.openJournal(campaign);
      resumed.released(2);
      await resumed.inFlight(2);
      resumed.sent(2, 'wamid.C');
      resumed.skipped(3, 'opted-out-during-send');
      await resumed.close();
      const { deliveries, replay, report } = await campaigns.state(campaign);
      expect(deliveries).toHaveLength(4);
      expect([...replay.states]).toEqual([STATE.sent, STATE.failed, STATE.sent, STATE.skipped]);
      expect(report.counts).toMatchObject({ targeted: 4, sent: 2, failed: 1, skipped: 1, unknown: 0 });
      expect(report.failures).toEqual([{ code: 'WHATSAPP_UNDELIVERABLE', reason: 'not on WhatsApp', count: 1 }]);
    });

    it.each([
      [{ resendUnknown: false, retryFailed: false }, [0, 6]],
      [{ resendUnknown: true, retryFailed: false }, [0, 1, 6]],
      [{ resendUnknown: false, retryFailed: true }, [0, 4, 6, 8]],
      [{ resendUnknown: true, retryFailed: true }, [0, 1, 4, 6, 8]],
    ])('resumes from every state a journal can hold: %j → %j, never the sent, read, skipped or finally failed', async (options, expected) => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      const campaign = await frozen(campaigns, 'cmp_a', 9, { status: 'interrupted' });
      const journal = await campaigns.openJournal(campaign);
      await Promise.all([1, 2, 3, 4, 6, 7, 8].map((i) => journal.inFlight(i)));
      journal.sent(2, 'wamid.2');
      journal.failed(3, NOT_ON_WHATSAPP);
      journal.failed(4, { ...TIMEOUT, code: 'HTTP_503' });
      journal.skipped(5, 'opted-out');
      journal.released(6);
      journal.sent(7, 'wamid.7');
      journal.failed(8, { kind: 'recipient', code: 'WHATSAPP_OUTSIDE_WINDOW', reason: 'free text outside the 24 hours' });
      await journal.close();
      const receipts = campaigns.receipts();
      expect((await receipts.record({ wamid: 'wamid.7', status: 'read', at, campaignId: 'cmp_a' })).kind).toBe('recorded');
      expect((await receipts.record({ wamid: 'wamid.7', status: 'delivered', at, campaignId: 'cmp_a' })).kind).toBe('duplicate');
      await receipts.close();
      const replay = await campaigns.replay(campaign, 9);
      expect([...replay.states]).toEqual([STATE.pending, STATE.unknown, STATE.sent, STATE.failed, STATE.failed, STATE.skipped, STATE.pending, STATE.read, STATE.failed]);
      expect(remainingAfter(replay, options)).toEqual(expected);
    });

    it('counts the citizens messaged on WhatsApp in the last 24 hours, from the campaigns active then', async () => {
      const under = await make(THIS_PROCESS);
      const { campaigns } = under.ports;
      const old = await frozen(campaigns, 'cmp_old', 1, { startedAt: '2026-11-26T09:00:00.000Z', finishedAt: '2026-11-26T10:00:00.000Z' });
      const recent = await frozen(campaigns, 'cmp_new', 2, { startedAt: '2026-11-28T09:00:00.000Z' });
      const email = await frozen(campaigns, 'cmp_mail', 1, { channels: ['email'], startedAt: '2026-11-28T09:00:00.000Z' });
      for (const campaign of [old, recent, email]) {
        const journal = await campaigns.openJournal(campaign);
        await journal.inFlight(0);
        journal.sent(0, `wamid.${campaign.id}`);
        await journal.close();
      }
      const now = new Date('2026-11-28T12:00:00.000Z');
      expect(await campaigns.recentWhatsAppRecipients(now)).toEqual(new Map([['sub_0', under.clock.now().getTime()]]));
    });

    it('changes its erasure mark each time someone is forgotten', async () => {
      const { campaigns } = (await make(THIS_PROCESS)).ports;
      const marks = [await campaigns.erasureMark()];
      await campaigns.changeErasureMark();
      marks.push(await campaigns.erasureMark());
      await campaigns.changeErasureMark();
      marks.push(await campaigns.erasureMark());
      expect(new Set(marks).size).toBe(3);
      expect(await campaigns.erasureMark()).toBe(marks[2]);
    });
  });
}
