import { erasureTarget, scrubEventLine, scrubIdLine } from '../../core/erasure/line-scrub.js';
import type { Subscriber } from '../../core/subscriber.js';
import { hasAny, scrubText } from '../memory/text-scrub.js';
import { optOutScrub } from '../optout/optout-feed.js';
import type { Sql, TxSql } from './database.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The rows of `table` that hold one of the needles, locked, scrubbed where they lie (same bytes, so every position
 * and length stays) and written back; whether any changed. Locked so that two erasures of people in one payload do
 * not write back each other's unscrubbed copy.
 */
async function scrubRows(tx: TxSql, table: string, needles: readonly Uint8Array[], scrub: (line: Uint8Array) => boolean): Promise<boolean> {
  const texts = needles.map((n) => decoder.decode(n));
  const rows = await tx<{ position: number; text: string }[]>`
    select position, text from ${tx(table)}
    where exists (select 1 from unnest(${texts}::text[]) as n(needle) where strpos(text, n.needle) > 0)
    order by position for update`;
  const changed = rows.flatMap((row) => {
    const text = scrubText(row.text, scrub);
    return text === row.text ? [] : [{ position: row.position, text }];
  });
  if (changed.length === 0) return false;
  await tx`
    update ${tx(table)} as t set text = c.text
    from unnest(${changed.map((c) => c.position)}::bigint[], ${changed.map((c) => c.text)}::text[]) as c(position, text)
    where t.position = c.position`;
  return true;
}

/**
 * Removes a person from the events tables, with the scrubs the home's files get (core/erasure/line-scrub.ts): the
 * inbox's payloads lose their contacts and name and an unsubscribe its subscriber id, the opt-out feed its lines'
 * ids and contacts, and the failure streak goes. In one transaction; the webhook server goes on appending meanwhile
 * (new rows: none is rewritten but the person's). Returns how many of the three changed.
 */
export async function eraseFromEvents(sql: Sql, subscriber: Subscriber): Promise<number> {
  const target = erasureTarget(subscriber);
  const id = encoder.encode(JSON.stringify(subscriber.id));
  const scrubInbox = (line: Uint8Array): boolean => {
    const contacts = hasAny(line, target.needles) && scrubEventLine(line, target);
    return (hasAny(line, [id]) && scrubIdLine(line, subscriber.id)) || contacts;
  };
  const feed = optOutScrub(subscriber);
  const scrubFeed = (line: Uint8Array): boolean => feed.scrub(line, hasAny(line, feed.needles));
  const changed = await sql.begin(async (tx) => {
    const isInboxChanged = await scrubRows(tx, 'canale_inbox', [...target.needles, id], scrubInbox);
    const streaks = await tx`delete from canale_failure_streaks where subscriber_id = ${subscriber.id}`;
    const isFeedChanged = await scrubRows(tx, 'canale_optouts', feed.needles, scrubFeed);
    return [isInboxChanged, streaks.count > 0, isFeedChanged];
  });
  return changed.filter(Boolean).length;
}
