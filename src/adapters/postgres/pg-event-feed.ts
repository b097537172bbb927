import type { Sql } from './database.js';

/** The two feeds of the events tables (schema/events.ts): the webhook inbox and the opt-out feed. */
export type FeedName = 'inbox' | 'optouts';

const TABLES: Record<FeedName, string> = { inbox: 'canale_inbox', optouts: 'canale_optouts' };

/** The channel an append to `feed` notifies, once committed: `<origin>:<where the feed ends now>`. */
export const feedChannel = (feed: FeedName): string => TABLES[feed];

/** One entry of a feed: where it starts, its text, and where the next one starts. */
export interface FeedEntry {
  readonly position: number;
  readonly text: string;
  readonly next: number;
}

/** The bytes an entry takes: its line and the newline the home's file would end it with. */
const bytesOf = (text: string): number => Buffer.byteLength(text) + 1;

/** Appends that arrive while a batch is being committed wait for the next one, up to this many bytes of it. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Batches on their way at once: one. A second one sent on another connection while the first commits may take the
 * feed's row lock first, and a process's entries would then be placed out of the order it recorded them in (a STOP
 * after a START read before it); tried, and refused by the test that keeps a machine's own order.
 */
const MAX_IN_FLIGHT = 1;

interface Waiter {
  readonly texts: readonly string[];
  /** Entries of the companion feed, committed with these (a STOP's opt-outs with its inbox line). */
  readonly companion: readonly string[];
  readonly bytes: number;
  readonly resolve: (end: number) => void;
  readonly reject: (error: unknown) => void;
}

/** Where each entry starts from the batch's start, the bytes of each, and the total. */
function layout(texts: readonly string[]): { starts: number[]; bytes: number[]; total: number } {
  const bytes = texts.map(bytesOf);
  const starts: number[] = [];
  let total = 0;
  for (const b of bytes) {
    starts.push(total);
    total += b;
  }
  return { starts, bytes, total };
}

/**
 * One feed table, shared with every process on the database: appends group-committed (the appends of this process
 * that arrive while a batch commits share the next INSERT and its commit) and positioned under the lock of the
 * feed's `canale_feed_ends` row, so positions commit in order across machines; reads by position.
 */
export class PgFeed {
  private pending: Waiter[] = [];
  private readonly writing = new Set<Promise<void>>();
  private begun = 0;

  constructor(
    private readonly sql: Sql,
    readonly feed: FeedName,
    /** Who appends, in the notification: a process tells its own appends from others'. */
    private readonly origin: string,
    /** The feed whose entries an append may carry along, in the same statement and commit (the inbox's: the opt-outs). */
    private readonly companion?: FeedName,
  ) {}

  get table(): string {
    return TABLES[this.feed];
  }

  /** Batches this process began so far, and whether one is still on its way (a poll must not mistake them for others'). */
  get appends(): { readonly begun: number; readonly isWriting: boolean } {
    return { begun: this.begun, isWriting: this.writing.size > 0 };
  }

  /**
   * Appends the entries in order — and `companion`'s to the companion feed, in the same commit — committed before it
   * resolves; resolves with where this feed ended after them.
   */
  append(texts: readonly string[], companion: readonly string[] = []): Promise<number> {
    if (companion.length > 0 && this.companion === undefined) return Promise.reject(new Error(`the ${this.feed} feed carries no other feed's entries`));
    return new Promise((resolve, reject) => {
      this.pending.push({ texts, companion, bytes: texts.reduce((sum, t) => sum + bytesOf(t), 0), resolve, reject });
      this.kick();
    });
  }

  /** Entries from `from` on, at most about `maxBytes` of them, where they end, and where the feed ends now. */
  async readFrom(from: number, maxBytes: number): Promise<{ entries: FeedEntry[]; end: number; size: number }> {
    const rows = await this.sql<{ size: number; position: number | null; bytes: number | null; text: string | null }[]>`
      select e.size, r.position, r.bytes, r.text
      from canale_feed_ends e left join lateral (
        select position, bytes, text from ${this.sql(this.table)} where position >= ${from} and position < ${from + maxBytes} order by position
      ) r on true
      where e.feed = ${this.feed} order by r.position`;
    const size = rows[0]?.size ?? 0;
    const found = rows.flatMap((r) => (r.position === null ? [] : [{ position: r.position, text: r.text as string, next: r.position + (r.bytes as number) }]));
    // none starts within maxBytes (one longer than it, or `from` inside one): the first after `from`, to skip it
    const candidates = found.length === 0 && size > from ? await this.firstFrom(from) : found;
    const entries: FeedEntry[] = [];
    let end = from;
    for (const entry of candidates) {
      if (entry.next - from > maxBytes) {
        // one entry longer than maxBytes cannot be read whole: skipped, so the feed goes on being read
        if (entries.length === 0) end = entry.next;
        break;
      }
      entries.push(entry);
      end = entry.next;
    }
    return { entries, end, size };
  }

  async textAt(position: number): Promise<string | undefined> {
    const [row] = await this.sql<{ text: string }[]>`select text from ${this.sql(this.table)} where position = ${position}`;
    return row?.text;
  }

  async countFrom(position: number): Promise<number> {
    const [row] = await this.sql<{ n: number }[]>`select count(*) as n from ${this.sql(this.table)} where position >= ${position}`;
    return row?.n ?? 0;
  }

  /** Where the feed ends now (0 when empty). */
  async size(): Promise<number> {
    const [row] = await this.sql<{ size: number }[]>`select size from canale_feed_ends where feed = ${this.feed}`;
    return row?.size ?? 0;
  }

  /** Waits for the appends under way. */
  async close(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing);
  }

  private async firstFrom(from: number): Promise<FeedEntry[]> {
    const rows = await this.sql<{ position: number; bytes: number; text: string }[]>`
      select position, bytes, text from ${this.sql(this.table)} where position >= ${from} order by position limit 1`;
    return rows.map((r) => ({ position: r.position, text: r.text, next: r.position + r.bytes }));
  }

  private kick(): void {
    if (this.writing.size >= MAX_IN_FLIGHT || this.pending.length === 0) return;
    let bytes = 0;
    let count = 0;
    while (count < this.pending.length && (count === 0 || bytes + (this.pending[count] as Waiter).bytes <= MAX_BATCH_BYTES)) bytes += (this.pending[count++] as Waiter).bytes;
    const batch = this.pending.splice(0, count);
    this.begun++;
    const writing: Promise<void> = this.write(batch).finally(() => {
      this.writing.delete(writing);
      this.kick();
    });
    this.writing.add(writing);
  }

  /**
   * One statement, so one commit: the feed's end moved under its row lock, the entries inserted from there, others
   * told — and the same for the companion feed's entries, its row locked after this feed's (always in that order).
   */
  private async write(batch: readonly Waiter[]): Promise<void> {
    const own = layout(batch.flatMap((w) => w.texts));
    const carried = layout(batch.flatMap((w) => w.companion));
    const texts = batch.flatMap((w) => w.texts);
    try {
      const [row] = carried.total === 0 || this.companion === undefined ? await this.insert(own, texts) : await this.insertBoth(own, texts, this.companion, carried, batch.flatMap((w) => w.companion));
      if (row === undefined) throw new Error(`canale_feed_ends lacks a row of ${this.feed}${this.companion === undefined ? '' : ` or ${this.companion}`}: the database was not migrated by canale`);
      let end = row.end - own.total;
      for (const waiter of batch) {
        end += waiter.bytes;
        waiter.resolve(end);
      }
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  }

  private insert(own: ReturnType<typeof layout>, texts: readonly string[]): Promise<{ end: number }[]> {
    return this.sql<{ end: number }[]>`
      with e as (update canale_feed_ends set size = size + ${own.total} where feed = ${this.feed} returning size),
      i as (
        insert into ${this.sql(this.table)} (position, bytes, text)
        select e.size - ${own.total} + r.start, r.bytes, r.text from e, unnest(${own.starts}::bigint[], ${own.bytes}::integer[], ${texts as string[]}::text[]) as r(start, bytes, text)
      )
      select e.size as end, pg_notify(${feedChannel(this.feed)}, ${this.origin} || ':' || e.size) from e`;
  }

  /** The companion's row is updated only once this feed's is (its WHERE waits for `e`): two appends never lock them in opposite orders. */
  private insertBoth(own: ReturnType<typeof layout>, texts: readonly string[], companion: FeedName, carried: ReturnType<typeof layout>, carriedTexts: readonly string[]): Promise<{ end: number }[]> {
    return this.sql<{ end: number }[]>`
      with e as (update canale_feed_ends set size = size + ${own.total} where feed = ${this.feed} returning size),
      c as (update canale_feed_ends set size = size + ${carried.total} where feed = ${companion} and exists (select from e) returning size),
      i as (
        insert into ${this.sql(this.table)} (position, bytes, text)
        select e.size - ${own.total} + r.start, r.bytes, r.text from e, unnest(${own.starts}::bigint[], ${own.bytes}::integer[], ${texts as string[]}::text[]) as r(start, bytes, text)
      ),
      j as (
        insert into ${this.sql(TABLES[companion])} (position, bytes, text)
        select c.size - ${carried.total} + r.start, r.bytes, r.text from c, unnest(${carried.starts}::bigint[], ${carried.bytes}::integer[], ${carriedTexts as string[]}::text[]) as r(start, bytes, text)
      )
      select e.size as end, pg_notify(${feedChannel(this.feed)}, ${this.origin} || ':' || e.size), pg_notify(${feedChannel(companion)}, ${this.origin} || ':' || c.size) from e, c`;
  }
}
