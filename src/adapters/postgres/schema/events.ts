/**
 * The events tables of canale's PostgreSQL schema, migration 1 (see ../migrations.ts), for PgEventLog:
 * - `canale_inbox`: the webhook inbox, one row per request (the JSON line the home's `events.jsonl` would hold);
 * - `canale_optouts`: the opt-out feed running sends follow (optOutLine's lines);
 * - `canale_feed_ends`: where each of the two ends. An append moves its row's `size` by the bytes it adds and takes
 *   its positions from there, so appends to a feed are serialised by that row's lock and commit in position order:
 *   a reader that has seen position p has seen every position before it (a bigserial could commit out of order);
 * - `canale_inbox_cursor`: how far the webhook server has applied the inbox (one row), and its counters;
 * - `canale_failure_streaks`: undeliverable WhatsApp messages in a row, by subscriber.
 * A position is the byte offset the entry would have in the home's file, so cursors and `maxBytes` mean the same.
 * Erasure overwrites `text` in place (same bytes, same length); `bytes` never changes.
 */
export const EVENTS_SCHEMA = `
create table canale_feed_ends (
  feed text primary key check (feed in ('inbox', 'optouts')),
  size bigint not null default 0 check (size >= 0)
);
insert into canale_feed_ends (feed) values ('inbox'), ('optouts');

create table canale_inbox (
  position bigint primary key check (position >= 0),
  bytes integer not null check (bytes > 0),
  text text not null
);

create table canale_optouts (
  position bigint primary key check (position >= 0),
  bytes integer not null check (bytes > 0),
  text text not null
);

create table canale_inbox_cursor (
  only_row boolean primary key default true check (only_row),
  position bigint not null check (position >= 0),
  lines bigint not null check (lines >= 0),
  waiting bigint[] not null,
  waiting_receipts bigint not null check (waiting_receipts >= 0),
  batches bigint not null check (batches >= 0),
  store_writes bigint not null check (store_writes >= 0)
);

create table canale_failure_streaks (
  subscriber_id text primary key,
  failures integer not null check (failures > 0)
);
`;
