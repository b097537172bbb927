/**
 * The campaigns tables of canale's PostgreSQL schema, migration 1 (see ../migrations.ts), for PgCampaignStore
 * (../pg-campaign-store.ts): what a home keeps in `campaigns/<id>/`, one table each.
 *
 * - `canale_campaigns`: the record (`campaign.json`, with its `version`), checked against the same schema on read.
 * - `canale_campaign_recipients`: the frozen list, one row per position, loaded in the create's transaction;
 *   indexed by subscriber so a forget finds a person's positions in every campaign without a scan.
 * - `canale_campaign_journal`: the journal's JSON lines, exactly as `journal.jsonl` holds them (the core's replay
 *   and erasure scrubs read them), in `seq` order. Every append goes through `canale_campaign_journal_append`,
 *   which holds the campaign's append lock until its commit: the rows of one campaign are committed in `seq`
 *   order, so a reader that has read up to `seq` N never later finds a row below N (the receipts read the tail).
 *   It checks once per append that the campaign exists, and removing a campaign takes the same lock.
 * - The list and the journal have no foreign key: its check, a lookup and a row lock per row, made the load of
 *   285,714 recipients four times slower (3.0 s against 0.75 s) and each journal row four times dearer.
 * - `canale_campaign_dropped`: positions of people forgotten (`dropped.jsonl`): positions only, never who.
 * - `canale_campaign_trouble`: account trouble the webhook server heard (`trouble.jsonl`), appended under the same
 *   kind of lock so `seq` order is commit order.
 * - `canale_erasure_mark`: one row, changed by every forget (`erasures.mark`).
 *
 * Changes a running send must hear at once are announced with NOTIFY on `canale_campaign_dropped` and
 * `canale_campaign_trouble` (payload: the campaign id); listeners re-read the table.
 */
export const CAMPAIGNS_SCHEMA = `
create table canale_campaigns (
  id text collate "C" primary key,
  record jsonb not null
);

create table canale_campaign_recipients (
  campaign_id text collate "C" not null,
  position integer not null,
  subscriber_id text collate "C" not null,
  channel text not null,
  primary key (campaign_id, position)
);
create index canale_campaign_recipients_subscriber on canale_campaign_recipients (subscriber_id);

create table canale_campaign_journal (
  campaign_id text collate "C" not null,
  seq bigint generated always as identity,
  i integer not null,
  line text not null,
  primary key (campaign_id, seq)
);

create table canale_campaign_dropped (
  campaign_id text collate "C" not null references canale_campaigns (id) on delete cascade,
  position integer not null,
  primary key (campaign_id, position)
);

create table canale_campaign_trouble (
  campaign_id text collate "C" not null references canale_campaigns (id) on delete cascade,
  seq bigint generated always as identity,
  at text not null,
  code text not null,
  kind text not null,
  reason text not null,
  primary key (campaign_id, seq)
);

create table canale_erasure_mark (
  only_row boolean primary key default true check (only_row),
  mark text not null
);

-- the lock of one campaign's appends (journal, trouble), held to the commit: rows commit in seq order
create function canale_campaign_append_lock(campaign text) returns void language sql volatile as $fn$
  select pg_advisory_xact_lock(7263002, hashtext(campaign))
$fn$;

-- appends journal lines in order — positions comma-separated, lines one a line (a JSON line holds no raw newline: one
-- text each rather than arrays, whose elements the client would have to quote and escape); returns the seq of the
-- last (nothing of the campaign lies between its rows)
create function canale_campaign_journal_append(campaign text, positions text, lines text) returns bigint language plpgsql volatile as $fn$
declare
  last_seq bigint;
begin
  perform canale_campaign_append_lock(campaign);
  if not exists (select 1 from canale_campaigns where id = campaign) then
    raise foreign_key_violation using message = format('there is no campaign %s to journal', campaign);
  end if;
  with added as (
    insert into canale_campaign_journal (campaign_id, i, line)
    select campaign, u.i::integer, u.line
    from unnest(string_to_array(positions, ','), string_to_array(lines, E'\\n')) with ordinality as u(i, line, k)
    order by u.k
    returning seq
  )
  select max(seq) into last_seq from added;
  return last_seq;
end
$fn$;
`;
