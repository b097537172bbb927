import { randomBytes } from 'node:crypto';
import { pageLine, type EventCursor, type EventLog, type FailureStreaks, type LogLine, type OptOut, type OptOutWatch, type PageEntry } from '../../core/ports.js';
import type { Subscriber } from '../../core/subscriber.js';
import { optOutLine } from '../optout/optout-feed.js';
import type { Sql } from './database.js';
import { readCursor, writeCursor } from './pg-event-cursor.js';
import { eraseFromEvents } from './pg-event-erasure.js';
import { feedChannel, PgFeed } from './pg-event-feed.js';
import { PgFailureStreaks } from './pg-event-streaks.js';
import { PgWakeups } from './pg-event-wakeups.js';
import { PgOptOutWatch } from './pg-optout-watch.js';

/** How much readFrom reads at most when not told (the JSON inbox's 64 MiB). */
const READ_BYTES = 64 * 1024 * 1024;
/** How often a process that listens for entries looks for those another one recorded, should a notification be lost. */
const POLL_MS = 1000;

/**
 * The EventLog port in PostgreSQL (schema/events.ts): the inbox in `canale_inbox` and the opt-out feed in
 * `canale_optouts`, each entry the JSON line the home's file would hold at the byte position it would have there, so
 * cursors and marks mean what they mean in the home; the cursor and the failure streaks in tables of their own.
 * Appends are group-committed (PgFeed: one INSERT and commit per batch, positions taken under a row lock so they
 * commit in order across machines; a recorded STOP's opt-outs in the same statement) and resolve once committed. Another process's entries are heard by LISTEN/NOTIFY
 * (PgWakeups) and a poll each second; opt-out watches follow the feed the same way. `close` ends the LISTEN
 * connection and the timers, after the appends under way.
 */
export class PgEventLog implements EventLog {
  /** This process's appends in the notifications: its own are not heard again. */
  private readonly origin = randomBytes(8).toString('hex');
  private readonly inbox: PgFeed;
  private readonly optOuts: PgFeed;
  private readonly wakeups: PgWakeups;
  private readonly listeners: Array<() => void> = [];
  private readonly watches = new Set<PgOptOutWatch>();
  /** Where the inbox ended when this process last heard of it (its appends, a notification, a poll). */
  private knownEnd = 0;
  private poll: ReturnType<typeof setInterval> | undefined;
  private stopHearing: Promise<() => void> | undefined;

  constructor(private readonly sql: Sql) {
    // a STOP's opt-outs go with its inbox line, in one statement and commit (record)
    this.inbox = new PgFeed(sql, 'inbox', this.origin, 'optouts');
    this.optOuts = new PgFeed(sql, 'optouts', this.origin);
    this.wakeups = new PgWakeups(sql);
  }

  async record(at: string, payload: unknown, optOuts: readonly OptOut[] = []): Promise<void> {
    await this.append(JSON.stringify({ at, payload }), optOuts.map((o) => optOutLine(o).slice(0, -1)));
    if (optOuts.length > 0) for (const watch of this.watches) watch.wake();
  }

  recordPage(at: string, entry: PageEntry): Promise<void> {
    return this.append(pageLine(at, entry));
  }

  onRecorded(listener: () => void): void {
    this.listeners.push(listener);
    this.hearOthers();
  }

  async readFrom(offset: number, maxBytes = READ_BYTES): Promise<{ lines: LogLine[]; end: number; size: number }> {
    const { entries, end, size } = await this.inbox.readFrom(offset, maxBytes);
    return { lines: entries.map((e) => ({ offset: e.position, text: e.text })), end, size };
  }

  lineAt(offset: number): Promise<string | undefined> {
    return this.inbox.textAt(offset);
  }

  countFrom(offset: number): Promise<number> {
    return this.inbox.countFrom(offset);
  }

  size(): Promise<number> {
    return this.inbox.size();
  }

  cursor(): Promise<EventCursor> {
    return readCursor(this.sql);
  }

  saveCursor(cursor: EventCursor): Promise<void> {
    return writeCursor(this.sql, cursor);
  }

  async appendOptOuts(optOuts: readonly OptOut[]): Promise<void> {
    if (optOuts.length === 0) return;
    await this.optOuts.append(optOuts.map((o) => optOutLine(o).slice(0, -1)));
    // this process's watches read it now; the others hear the notification
    for (const watch of this.watches) watch.wake();
  }

  optOutMark(): Promise<number> {
    return this.optOuts.size();
  }

  async watchOptOuts(from: number): Promise<OptOutWatch> {
    const watch = await PgOptOutWatch.start(this.optOuts, this.wakeups, from, (closed) => this.watches.delete(closed));
    this.watches.add(watch);
    return watch;
  }

  async streaks(): Promise<FailureStreaks> {
    return new PgFailureStreaks(this.sql);
  }

  erase(subscriber: Subscriber): Promise<number> {
    return eraseFromEvents(this.sql, subscriber);
  }

  whereIs(): string {
    const { host, database } = this.sql.options;
    return `table canale_inbox of database ${database} on ${host.join(',')}`;
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    this.poll = undefined;
    const hearing = this.stopHearing;
    this.stopHearing = undefined;
    (await hearing)?.();
    await Promise.all([...this.watches].map((w) => w.close()));
    await Promise.all([this.inbox.close(), this.optOuts.close()]);
    await this.wakeups.close();
  }

  private async append(text: string, optOutLines: readonly string[] = []): Promise<void> {
    const end = await this.inbox.append([text], optOutLines);
    this.knownEnd = Math.max(this.knownEnd, end);
    this.wakeListeners();
  }

  /** From the first listener on: a notification of another process's entries wakes the listeners, and so does a poll that finds some. */
  private hearOthers(): void {
    if (this.stopHearing !== undefined) return;
    this.stopHearing = this.wakeups.on(feedChannel('inbox'), (payload) => this.heard(payload));
    if (this.poll !== undefined) return;
    this.poll = setInterval(() => void this.lookForOthers().catch(() => undefined), POLL_MS);
    this.poll.unref();
  }

  /** `<origin>:<end>` from an append; empty after a lost connection came back (something may have been missed). */
  private heard(payload: string): void {
    const [origin, end] = payload.split(':');
    if (origin === this.origin) return;
    const at = Number(end);
    if (payload !== '' && !(at > this.knownEnd)) return;
    if (at > this.knownEnd) this.knownEnd = at;
    this.wakeListeners();
  }

  /** The inbox's end, when no append of this process is under way to be mistaken for another's. */
  private async lookForOthers(): Promise<void> {
    const before = this.inbox.appends;
    if (before.isWriting) return;
    const size = await this.inbox.size();
    const after = this.inbox.appends;
    if (after.isWriting || after.begun !== before.begun || size <= this.knownEnd) return;
    this.knownEnd = size;
    this.wakeListeners();
  }

  private wakeListeners(): void {
    for (const listener of this.listeners) listener();
  }
}
