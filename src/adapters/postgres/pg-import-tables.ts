import { EMPTY_SIGNUPS } from '../../core/signup/pending-signups.js';
import type { Sql } from './database.js';

/**
 * canale's data tables: what a home is copied into, and what `db import-home` empties when it starts over. Not the
 * schema's history, the locks, the import's mark, the sign-ups' book or the feeds' ends (set back to 0 and empty
 * instead: their rows are the schema's own), nor the erasure mark (a send only compares it before and after its freeze).
 */
const DATA_TABLES = [
  'canale_subscribers',
  'canale_attribute_names',
  'canale_topics',
  'canale_templates',
  'canale_campaigns',
  'canale_campaign_recipients',
  'canale_campaign_journal',
  'canale_campaign_dropped',
  'canale_campaign_trouble',
  'canale_inbox',
  'canale_optouts',
  'canale_inbox_cursor',
  'canale_failure_streaks',
  'canale_schedules',
] as const;

/**
 * What a database holds that a home would be copied over, said for a person ("3 subscriber(s), 1 campaign(s)"); empty
 * for a new database (its default topics and the feeds' ends, which a migration puts there, are not data; nor is the
 * inbox's cursor, which the import writes from the home's).
 */
export async function heldData(sql: Sql): Promise<string[]> {
  const [row] = await sql<Record<string, number>[]>`select
    (select count(*) from canale_subscribers) as "subscriber(s)",
    (select count(*) from canale_campaigns) as "campaign(s)",
    (select count(*) from canale_campaign_recipients) + (select count(*) from canale_campaign_journal) as "campaign list or journal row(s)",
    (select count(*) from canale_inbox) as "webhook inbox line(s)",
    (select count(*) from canale_optouts) as "opt-out feed line(s)",
    (select count(*) from canale_failure_streaks) as "WhatsApp failure streak(s)",
    (select count(*) from canale_schedules) as "schedule(s)",
    (select count(*) from canale_templates) as "synced template(s)",
    (select coalesce(sum(json_array_length(book -> 'pending')), 0) from canale_signups) as "pending sign-up(s)"`;
  return Object.entries(row ?? {})
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what}`);
}

/** Commits the mark: from now on every other command refuses the database. */
export async function markImport(sql: Sql, home: string, at: Date): Promise<void> {
  await sql`insert into canale_import_in_progress (home, started_at) values (${home}, ${at})
    on conflict (only_row) do update set home = excluded.home, started_at = excluded.started_at`;
}

/** The copy is whole: the database is usable. */
export async function unmarkImport(sql: Sql): Promise<void> {
  await sql`delete from canale_import_in_progress`;
}

/** Empties what an import that did not finish copied: every data table, the feeds back to nothing. */
export async function startOver(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    // the feeds' rows locked first, inbox before optouts as an append locks them (pg-event-feed.ts): a webhook server
    // appending meanwhile waits here, before the truncate's table locks, so neither waits on the other
    await tx`select feed from canale_feed_ends order by feed for update`;
    await tx`truncate table ${tx(DATA_TABLES as unknown as string[])} restart identity`;
    await tx`update canale_feed_ends set size = 0`;
    // the sign-ups' one row is the schema's own: emptied, not removed
    await tx`update canale_signups set book = ${JSON.stringify(EMPTY_SIGNUPS)}::text::json`;
  });
}
