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

interface Waiter {
  readonly texts: readonly string[];
  readonly bytes: number;
  readonly resolve: (end: number) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One feed table, shared with every process on the database: appends group-committed (the appends of this process
 * that arrive while a batch commits share the next INSERT and its commit) and positioned under the lock of the
 * feed's `canale_feed_ends` row, so positions commit in order across machines; reads by position.
 */
export class PgFeed {
  private pending: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private begun = 0;

  constructor(
    private readonly sql: Sql,
    readonly feed: FeedName,
    /** Who appends, in the notification: a process tells its own appends from others'. */
    private readonly origin: string,
  ) {}

  get table(): string {
    return TABLES[this.feed];
  }

  /** Batches this process began so far, and whether one is still on its way (a poll must not mistake them for others'). */
  get appends(): { readonly begun: number; readonly isWriting: boolean } {
    return { begun: this.begun, isWriting: this.writing !== undefined };
  }

  /** Appends the entries in order, committed before it resolves; resolves with where the feed ended after them. */
  append(texts: readonly string[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ texts, bytes: texts.reduce((sum, t) => sum + bytesOf(t), 0), resolve, reject });
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
    while (this.writing !== undefined) await this.writing;
  }

  private async firstFrom(from: number): Promise<FeedEntry[]> {
    const rows = await this.sql<{ position: number; bytes: number; text: string }[]>`
      select position, bytes, text from ${this.sql(this.table)} where position >= ${from} order by position limit 1`;
    return rows.map((r) => ({ position: r.position, text: r.text, next: r.position + r.bytes }));
  }

  private kick(): void {
    if (this.writing !== undefined || this.pending.length === 0) return;
    let bytes = 0;
    let count = 0;
    while (count < this.pending.length && (count === 0 || bytes + (this.pending[count] as Waiter).bytes <= MAX_BATCH_BYTES)) bytes += (this.pending[count++] as Waiter).bytes;
    const batch = this.pending.splice(0, count);
    this.begun++;
    this.writing = this.write(batch).finally(() => {
      this.writing = undefined;
      this.kick();
    });
  }

  /** One statement, so one commit: the feed's end moved under its row lock, the entries inserted from there, others told. */
  private async write(batch: readonly Waiter[]): Promise<void> {
    const texts = batch.flatMap((w) => w.texts);
    const bytes = texts.map(bytesOf);
    const starts: number[] = [];
    let total = 0;
    for (const b of bytes) {
      starts.push(total);
      total += b;
    }
    try {
      const [row] = await this.sql<{ end: number }[]>`
        with e as (update canale_feed_ends set size = size + ${total} where feed = ${this.feed} returning size),
        i as (
          insert into ${this.sql(this.table)} (position, bytes, text)
          select e.size - ${total} + r.start, r.bytes, r.text from e, unnest(${starts}::bigint[], ${bytes}::integer[], ${texts}::text[]) as r(start, bytes, text)
        )
        select e.size as end, pg_notify(${feedChannel(this.feed)}, ${this.origin} || ':' || e.size) from e`;
      if (row === undefined) throw new Error(`canale_feed_ends has no row for ${this.feed}: the database was not migrated by canale`);
      let end = row.end - total;
      for (const waiter of batch) {
        end += waiter.bytes;
        waiter.resolve(end);
      }
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  }
}
