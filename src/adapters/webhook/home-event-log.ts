import { pageLine, type EventCursor, type EventLog, type FailureStreaks as Streaks, type LogLine, type OptOut, type OptOutWatch, type PageEntry } from '../../core/ports.js';
import type { Subscriber } from '../../core/subscriber.js';
import { appendDurably, sizeOf } from '../fs/line-feed.js';
import { homePaths } from '../home.js';
import { OptOutWatch as OptOutFeed, optOutFile, optOutHolder, optOutLine, optOutMark } from '../optout/optout-feed.js';
import { AppendFile } from './append-file.js';
import { countLinesFrom, readCursor, readLineAt, readLinesFrom, writeCursor } from './event-cursor.js';
import { webhookHolder } from './webhook-erasure.js';
import { ensureWebhookDir, eventLogFile, FailureStreaks } from './webhook-files.js';

/**
 * The EventLog port over the home's files (DESIGN §5): `webhooks/events.jsonl` (the inbox, one JSON line per
 * request, byte offsets as positions), `webhooks/cursor.json`, `optouts.jsonl` and `webhooks/whatsapp-failures.json`.
 * The inbox's appends are group-committed (AppendFile), and so are the opt-outs of a process that listens to it (the
 * webhook server); a one-shot command's opt-outs are one durable append. Files are opened on first use, closed by `close`.
 */
export class HomeEventLog implements EventLog {
  private inbox: AppendFile | undefined;
  private optOuts: AppendFile | undefined;
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly home: string) {}

  async record(at: string, payload: unknown, optOuts: readonly OptOut[] = []): Promise<void> {
    // two files, two group commits at once: both flushed before it resolves
    await Promise.all([(async () => (await this.inboxFile()).append(`${JSON.stringify({ at, payload })}\n`))(), this.appendOptOuts(optOuts)]);
    this.recorded();
  }

  async recordPage(at: string, entry: PageEntry): Promise<void> {
    await (await this.inboxFile()).append(`${pageLine(at, entry)}\n`);
    this.recorded();
  }

  onRecorded(listener: () => void): void {
    this.listeners.push(listener);
  }

  readFrom(offset: number, maxBytes?: number): Promise<{ lines: LogLine[]; end: number; size: number }> {
    return readLinesFrom(this.whereIs(), offset, maxBytes);
  }

  lineAt(offset: number): Promise<string | undefined> {
    return readLineAt(this.whereIs(), offset);
  }

  countFrom(offset: number): Promise<number> {
    return countLinesFrom(this.whereIs(), offset);
  }

  size(): Promise<number> {
    return sizeOf(this.whereIs());
  }

  cursor(): Promise<EventCursor> {
    return readCursor(this.home);
  }

  async saveCursor(cursor: EventCursor): Promise<void> {
    await ensureWebhookDir(this.home);
    await writeCursor(this.home, cursor);
  }

  async appendOptOuts(optOuts: readonly OptOut[]): Promise<void> {
    if (optOuts.length === 0) return;
    const lines = optOuts.map(optOutLine).join('');
    // a one-shot command appends once and is gone; the webhook server (it listens for entries) group-commits them
    if (this.listeners.length === 0) return appendDurably(optOutFile(this.home), lines);
    this.optOuts ??= new AppendFile(optOutFile(this.home));
    await this.optOuts.append(lines);
  }

  optOutMark(): Promise<number> {
    return optOutMark(this.home);
  }

  watchOptOuts(from: number): Promise<OptOutWatch> {
    return OptOutFeed.start(this.home, from);
  }

  async streaks(): Promise<Streaks> {
    await ensureWebhookDir(this.home);
    return FailureStreaks.load(this.home);
  }

  async erase(subscriber: Subscriber): Promise<number> {
    const paths = homePaths(this.home);
    return (await webhookHolder.erase(subscriber, paths)) + (await optOutHolder.erase(subscriber, paths));
  }

  whereIs(): string {
    return eventLogFile(this.home);
  }

  async close(): Promise<void> {
    await Promise.all([this.inbox?.close(), this.optOuts?.close()]);
    this.inbox = undefined;
    this.optOuts = undefined;
  }

  private async inboxFile(): Promise<AppendFile> {
    if (this.inbox === undefined) {
      await ensureWebhookDir(this.home);
      this.inbox ??= new AppendFile(eventLogFile(this.home));
    }
    return this.inbox;
  }

  private recorded(): void {
    for (const listener of this.listeners) listener();
  }
}
