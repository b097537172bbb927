import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Sql } from '../../../src/adapters/postgres/database.js';
import { PgCampaignStore } from '../../../src/adapters/postgres/pg-campaign-store.js';
import { PgLocks } from '../../../src/adapters/postgres/pg-locks.js';
import { STATE } from '../../../src/core/dispatch/journal-state.js';
import type { SubscriberId } from '../../../src/core/subscriber.js';
import { FakeClock } from '../../support/fake-deps.js';
import { usePostgres } from '../../support/postgres.js';
import { aCampaign, aList } from '../../ports/campaign-builders.js';

const pg = usePostgres();
const pools: Sql[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((sql) => sql.end()));
});

async function storeOn(url?: string): Promise<{ readonly campaigns: PgCampaignStore; readonly sql: Sql; readonly url: string }> {
  const at = url ?? (await pg.database());
  const sql = openDatabase(at);
  pools.push(sql);
  return { campaigns: new PgCampaignStore(sql, { clock: new FakeClock(), locks: new PgLocks(sql) }), sql, url: at };
}

const listOf = (size: number) => Array.from({ length: size }, (_, i) => ({ subscriberId: `sub_${i}` as SubscriberId, channel: i % 3 === 0 ? ('email' as const) : ('whatsapp' as const) }));

/** Makes every insert into the journal fail, `times` times (a sequence: the failed transactions cannot undo its count). */
async function failJournalInserts(sql: Sql, times: number): Promise<void> {
  await sql.unsafe(`create sequence journal_failures;
    create function fail_journal() returns trigger language plpgsql as $fn$
    begin
      if nextval('journal_failures') <= ${times} then raise exception 'the server refused the write'; end if;
      return null;
    end $fn$;
    create trigger fail_journal before insert on canale_campaign_journal for each statement execute function fail_journal();`);
}

describe('PgCampaignStore', () => {
  it('creates a list of 60,000 in one COPY and reads it back in order', async () => {
    const { campaigns } = await storeOn();
    const campaign = aCampaign({ id: 'cmp_big', recipients: 60_000 });
    await campaigns.create(campaign, listOf(60_000));
    expect(await campaigns.recipients(campaign)).toEqual(listOf(60_000));
  });

  it('creates nothing when the database refuses the list half-way: no record, no recipient, the id free again', async () => {
    const { campaigns, sql } = await storeOn();
    const list = listOf(50_000);
    list[40_000] = { subscriberId: 'sub_\u0000' as SubscriberId, channel: 'whatsapp' };
    const campaign = aCampaign({ id: 'cmp_torn', recipients: 50_000 });
    await expect(campaigns.create(campaign, list)).rejects.toThrow();
    expect(await campaigns.inspect('cmp_torn')).toEqual({ kind: 'missing' });
    expect(await sql`select count(*)::int as n from canale_campaign_recipients`).toEqual([{ n: 0 }]);
    expect(await campaigns.leftovers()).toEqual([]);
    await campaigns.create(campaign, listOf(50_000));
    expect(await campaigns.recipients(campaign)).toHaveLength(50_000);
  });

  it('reports a row whose record is not a campaign as damaged, naming how to clear it, and lists the others', async () => {
    const { campaigns, sql } = await storeOn();
    await campaigns.create(aCampaign({ id: 'cmp_good' }), []);
    await campaigns.create(aCampaign({ id: 'cmp_bad', recipients: 1 }), aList('sub_a'));
    await campaigns.create(aCampaign({ id: 'cmp_unlisted', recipients: 1 }), aList('sub_a'));
    await sql`update canale_campaigns set record = record - 'status' where id = 'cmp_bad'`;
    await sql`delete from canale_campaign_recipients where campaign_id = 'cmp_unlisted'`;
    const { campaigns: readable, damaged } = await campaigns.scan();
    expect(readable.map((c) => c.id)).toEqual(['cmp_good']);
    expect(damaged).toEqual([
      { id: 'cmp_bad', problem: expect.stringContaining('its record is not a campaign record: status') },
      { id: 'cmp_unlisted', problem: 'its recipient list is missing' },
    ]);
    await expect(campaigns.load('cmp_bad')).rejects.toMatchObject({ code: 'CAMPAIGN_DAMAGED', message: expect.stringContaining('canale campaigns cancel cmp_bad') });
    await campaigns.remove('cmp_unlisted');
    expect(await campaigns.inspect('cmp_unlisted')).toEqual({ kind: 'missing' });
  });

  it('commits the in-flight records made at once together: one INSERT, one commit for many requests', async () => {
    const { campaigns, sql, url } = await storeOn();
    const campaign = aCampaign({ id: 'cmp_a', recipients: 17 });
    await campaigns.create(campaign, listOf(17));
    const journal = await campaigns.openJournal(campaign);
    await journal.inFlight(0);
    // another machine sees it committed as soon as inFlight resolved
    const other = await storeOn(url);
    expect((await other.campaigns.replay(campaign, 17)).states[0]).toBe(STATE.unknown);
    await Promise.all(Array.from({ length: 16 }, (_, k) => journal.inFlight(k + 1)));
    await journal.close();
    const [{ transactions }] = (await sql`select count(distinct xmin::text)::int as transactions from canale_campaign_journal where i > 0`) as unknown as [{ transactions: number }];
    // the first of them may have left alone, before the others were made; the rest share one
    expect(transactions).toBeLessThanOrEqual(2);
    expect([...(await campaigns.replay(campaign, 17)).states]).toEqual(Array(17).fill(STATE.unknown));
  });

  it('refuses the in-flight records of a write the server refused, writes them released, and takes no new one', async () => {
    const { campaigns, sql } = await storeOn();
    const campaign = aCampaign({ id: 'cmp_a', recipients: 3 });
    await campaigns.create(campaign, listOf(3));
    const journal = await campaigns.openJournal(campaign);
    await journal.inFlight(0);
    journal.sent(0, 'wamid.A');
    await failJournalInserts(sql, 1);
    await expect(journal.inFlight(1)).rejects.toMatchObject({ code: 'JOURNAL_WRITE_FAILED', message: expect.stringContaining('campaign cmp_a') });
    await expect(journal.inFlight(2)).rejects.toMatchObject({ code: 'JOURNAL_WRITE_FAILED' });
    journal.skipped(2, 'opted-out-during-send');
    await journal.close();
    const replay = await campaigns.replay(campaign, 3);
    expect([...replay.states]).toEqual([STATE.sent, STATE.pending, STATE.skipped]);
    expect(replay.providerIds.get(0)).toBe('wamid.A');
  });

  it('says so when even the release cannot be written: nothing more is written, close throws', async () => {
    const { campaigns, sql } = await storeOn();
    const campaign = aCampaign({ id: 'cmp_a', recipients: 2 });
    await campaigns.create(campaign, listOf(2));
    const journal = await campaigns.openJournal(campaign);
    await failJournalInserts(sql, 1_000);
    await expect(journal.inFlight(0)).rejects.toMatchObject({ code: 'JOURNAL_WRITE_FAILED' });
    journal.sent(1, 'wamid.B');
    await expect(journal.close()).rejects.toMatchObject({ code: 'JOURNAL_WRITE_FAILED' });
    expect([...(await campaigns.replay(campaign, 2)).states]).toEqual([STATE.pending, STATE.pending]);
  });

  it('journals nothing for a campaign removed meanwhile, and remove takes every row of it', async () => {
    const { campaigns, sql } = await storeOn();
    const campaign = aCampaign({ id: 'cmp_a', recipients: 2 });
    await campaigns.create(campaign, listOf(2));
    const journal = await campaigns.openJournal(campaign);
    await journal.inFlight(0);
    await campaigns.reportTrouble('cmp_a', { kind: 'fatal', code: 'WHATSAPP_PAYMENT', reason: 'payment' }, '2026-11-28T09:30:00.000Z');
    await campaigns.remove('cmp_a');
    await expect(journal.inFlight(1)).rejects.toMatchObject({ code: 'JOURNAL_WRITE_FAILED', message: expect.stringContaining('no campaign cmp_a') });
    await journal.close().catch(() => undefined);
    const left = await sql`select (select count(*) from canale_campaign_journal)::int as journal, (select count(*) from canale_campaign_recipients)::int as recipients,
      (select count(*) from canale_campaign_trouble)::int as trouble`;
    expect(left).toEqual([{ journal: 0, recipients: 0, trouble: 0 }]);
    await expect(campaigns.openJournal(campaign)).rejects.toMatchObject({ code: 'CAMPAIGN_NOT_FOUND' });
  });
});
