import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LockOwner } from '../../../src/adapters/fs/lock-holder.js';
import { openDatabase, type Sql } from '../../../src/adapters/postgres/database.js';
import { CampaignFeed, DROPPED_CHANNEL } from '../../../src/adapters/postgres/pg-campaign-feed.js';
import { PgCampaignStore } from '../../../src/adapters/postgres/pg-campaign-store.js';
import { PgLocks } from '../../../src/adapters/postgres/pg-locks.js';
import { STATE } from '../../../src/core/dispatch/journal-state.js';
import type { Email } from '../../../src/core/email.js';
import type { E164 } from '../../../src/core/phone.js';
import type { SubscriberId } from '../../../src/core/subscriber.js';
import type { StatusEvent } from '../../../src/core/whatsapp-status.js';
import { aSubscriber } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-deps.js';
import { usePostgres } from '../../support/postgres.js';
import { aCampaign, aList } from '../../ports/campaign-builders.js';

const pg = usePostgres();
const pools: Sql[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((sql) => sql.end()));
});

interface Machine {
  readonly sql: Sql;
  readonly locks: PgLocks;
  readonly campaigns: PgCampaignStore;
}

/** A canale process on a machine of its own (its own pool and sessions); none of the other machines' pids is alive here. */
function machine(url: string, pid: number): Machine {
  const sql = openDatabase(url);
  pools.push(sql);
  const owner: LockOwner = { pid, alive: (other) => other === pid };
  const locks = new PgLocks(sql, { owner });
  return { sql, locks, campaigns: new PgCampaignStore(sql, { clock: new FakeClock(), locks }) };
}

const at = '2026-11-28T10:00:00.000Z';
const status = (wamid: string, s: StatusEvent['status'], extra: Partial<StatusEvent> = {}): StatusEvent => ({ wamid, status: s, at, campaignId: 'cmp_r', ...extra });

/** Campaign cmp_r to sub_a, sub_b, sub_c, sent to the first two (wamid.A, wamid.B) from machine `m`. */
async function sentFrom(m: Machine) {
  const campaign = aCampaign({ id: 'cmp_r', recipients: 3, startedAt: '2026-11-28T09:00:00.000Z' });
  await m.campaigns.create(campaign, aList('sub_a', 'sub_b', 'sub_c'));
  const journal = await m.campaigns.openJournal(campaign);
  await Promise.all([journal.inFlight(0), journal.inFlight(1)]);
  journal.sent(0, 'wamid.A');
  journal.sent(1, 'wamid.B');
  await journal.close();
  return campaign;
}

function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('PgCampaignStore across machines', () => {
  it('wakes a follower on a NOTIFY from another machine, long before its poll', async () => {
    const url = await pg.database();
    const [sender, other] = [machine(url, 101), machine(url, 202)];
    await sender.campaigns.create(aCampaign({ id: 'cmp_r' }), []);
    let reads = 0;
    const feed = await CampaignFeed.start(sender.sql, DROPPED_CHANNEL, 'cmp_r', async () => {
      reads++;
    }, 3_600_000);
    expect(reads).toBe(1);
    await other.sql`select pg_notify(${DROPPED_CHANNEL}, 'cmp_other')`;
    await other.sql`select pg_notify(${DROPPED_CHANNEL}, 'cmp_r')`;
    await vi.waitFor(() => expect(reads).toBe(2), { timeout: 5000, interval: 10 });
    await feed.close();
  });

  it('tells a send on one machine of a forget on another; a dropped row that came without a NOTIFY arrives by the poll', async () => {
    const url = await pg.database();
    const [sender, forgetting] = [machine(url, 101), machine(url, 202)];
    await sentFrom(sender);
    const watch = await sender.campaigns.watchDropped('cmp_r');
    expect(await forgetting.campaigns.eraseFrom('cmp_r', aSubscriber({ id: 'sub_b' as SubscriberId }))).toBeGreaterThan(0);
    await vi.waitFor(() => expect([...watch.positions]).toEqual([1]), { timeout: 2000, interval: 10 });
    await forgetting.sql`insert into canale_campaign_dropped (campaign_id, position) values ('cmp_r', 2)`;
    await vi.waitFor(() => expect([...watch.positions].sort()).toEqual([1, 2]), { timeout: 3000, interval: 20 });
    await watch.close();
  });

  it('stops a send on one machine on account trouble the webhook server records on another, and no other campaign', async () => {
    const url = await pg.database();
    const [sender, webhook] = [machine(url, 101), machine(url, 202)];
    await sentFrom(sender);
    await sender.campaigns.create(aCampaign({ id: 'cmp_other' }), []);
    const trouble = new AbortController();
    const watch = await sender.campaigns.watchTrouble('cmp_r', trouble);
    await webhook.campaigns.reportTrouble('cmp_other', { kind: 'fatal', code: 'WHATSAPP_PAYMENT', reason: 'payment' }, at);
    await webhook.campaigns.reportTrouble('cmp_r', { kind: 'fatal', code: 'WHATSAPP_BLOCKED', reason: 'the account is blocked' }, at);
    await vi.waitFor(() => expect(trouble.signal.reason).toEqual({ kind: 'fatal', code: 'WHATSAPP_BLOCKED', reason: 'the account is blocked' }), { timeout: 2000, interval: 10 });
    await watch.close();
    await expect(webhook.campaigns.reportTrouble('cmp_none', { kind: 'fatal', code: 'X', reason: 'x' }, at)).rejects.toMatchObject({ code: 'CAMPAIGN_NOT_FOUND' });
  });

  it('records a receipt once when two webhook servers are handed it at the same time', async () => {
    const url = await pg.database();
    const [sender, first, second] = [machine(url, 101), machine(url, 202), machine(url, 303)];
    const campaign = await sentFrom(sender);
    const [a, b] = [first.campaigns.receipts(), second.campaigns.receipts()];
    await Promise.all([a.warm(['cmp_r']), b.warm(['cmp_r'])]);
    const results = await Promise.all([a.record(status('wamid.A', 'delivered')), b.record(status('wamid.A', 'delivered')), a.record(status('wamid.B', 'read')), b.record(status('wamid.B', 'read'))]);
    expect(results.map((r) => r.kind).sort()).toEqual(['duplicate', 'duplicate', 'recorded', 'recorded']);
    expect(await sender.sql`select count(*)::int as n from canale_campaign_journal where line like '%"s":"delivered"%' or line like '%"s":"read"%'`).toEqual([{ n: 2 }]);
    expect([...(await sender.campaigns.replay(campaign, 3)).states]).toEqual([STATE.delivered, STATE.read, STATE.pending]);
    await Promise.all([a.close(), b.close()]);
  });

  it('makes a receipt wait while the send of its campaign runs on another machine with that request out, then settles it', async () => {
    const url = await pg.database();
    const [sender, webhook] = [machine(url, 101), machine(url, 202)];
    const campaign = await sentFrom(sender);
    const receipts = webhook.campaigns.receipts();
    const [started, ended] = [gate(), gate()];
    const sending = sender.locks.withSendLock({ campaign: 'cmp_r' }, async () => {
      const journal = await sender.campaigns.openJournal(campaign);
      await journal.inFlight(2);
      started.open();
      await ended.opened;
      await journal.close();
    });
    await started.opened;
    expect(await receipts.record(status('wamid.C', 'delivered', { recipientIndex: 2 }))).toEqual({ kind: 'waiting' });
    ended.open();
    await sending;
    receipts.refresh();
    expect(await receipts.record(status('wamid.C', 'delivered', { recipientIndex: 2 }))).toEqual({ kind: 'recorded', outcome: { subscriberId: 'sub_c', status: 'delivered' } });
    expect([...(await sender.campaigns.replay(campaign, 3)).settledByReceipt]).toEqual([2]);
    await receipts.close();
  });

  it('commits a batch of receipts in one transaction', async () => {
    const url = await pg.database();
    const [sender, webhook] = [machine(url, 101), machine(url, 202)];
    await sentFrom(sender);
    const receipts = webhook.campaigns.receipts();
    await receipts.warm(['cmp_r']);
    const results = await Promise.all([status('wamid.A', 'delivered'), status('wamid.B', 'delivered'), status('wamid.A', 'read'), status('wamid.B', 'read')].map((e) => receipts.record(e)));
    expect(results.map((r) => r.kind)).toEqual(['recorded', 'recorded', 'recorded', 'recorded']);
    const [row] = (await sender.sql`select count(distinct xmin::text)::int as transactions from canale_campaign_journal where line not like '%"s":"sent"%' and line not like '%in-flight%'`) as unknown as [{ transactions: number }];
    expect(row.transactions).toBe(1);
    await receipts.close();
  });

  it('never undoes one forget with another running at once on another machine: a line naming both loses both', async () => {
    const url = await pg.database();
    const [sender, one, two] = [machine(url, 101), machine(url, 202), machine(url, 303)];
    const anna = aSubscriber({ id: 'sub_anna' as SubscriberId, name: 'Anna Rossi', phone: '+393331234567' as E164, email: 'anna.rossi@example.it' as Email });
    const bruno = aSubscriber({ id: 'sub_bruno' as SubscriberId, name: 'Bruno Bianchi', phone: '+393337654321' as E164, email: 'bruno.bianchi@example.it' as Email });
    const campaign = aCampaign({ id: 'cmp_r', recipients: 3, channels: ['email'] });
    await sender.campaigns.create(campaign, aList('sub_anna:email', 'sub_bruno:email', 'sub_carla:email'));
    const journal = await sender.campaigns.openJournal(campaign);
    await journal.inFlight(2);
    journal.failed(2, { kind: 'recipient', code: 'SMTP_REJECTED', reason: 'refused', detail: '550 carla forwards to anna.rossi@example.it and bruno.bianchi@example.it' });
    await journal.close();
    await Promise.all([one.campaigns.erase(anna), two.campaigns.erase(bruno)]);
    const detail = (await sender.campaigns.replay(campaign, 3)).failures.get(2)?.detail ?? '';
    expect(detail).toContain('550 carla forwards to');
    expect(detail).not.toContain('anna.rossi');
    expect(detail).not.toContain('bruno.bianchi');
    expect((await sender.campaigns.recipients(campaign)).map((d) => d.subscriberId)).toEqual(['forgotten', 'forgotten', 'sub_carla']);
  });
});
