import { erasureTarget, scrubEventLine, scrubIdLine } from '../../core/erasure/line-scrub.js';
import { pageLine, type EventCursor, type EventLog, type FailureStreaks, type LogLine, type OptOut, type OptOutWatch, type PageEntry } from '../../core/ports.js';
import type { Subscriber } from '../../core/subscriber.js';
import { optOutLine, optOutScrub, OptOutsLeft } from '../optout/optout-feed.js';
import { START } from '../webhook/event-cursor.js';
import { MemoryFeed } from './memory-feed.js';
import { hasAny, scrubText } from './text-scrub.js';

/** One entry of the inbox: its text (a JSON line, as the file holds it) and where it starts. */
interface Entry {
  readonly offset: number;
  readonly text: string;
}

const byteLength = (text: string): number => Buffer.byteLength(text) + 1;

/**
 * The EventLog port in memory: the inbox holds the JSON lines the home's `events.jsonl` would, at the positions they
 * would have there (bytes from its start), so cursors mean the same; the opt-out feed holds optOutLine's lines, and
 * its marks count them. Every append is "durable" when it resolves; watches hear opt-outs as they are appended.
 * Erasure scrubs the same lines with the same scrubs as the files (core/erasure/line-scrub.ts).
 */
export class MemoryEventLog implements EventLog {
  private entries: Entry[] = [];
  private end = 0;
  private savedCursor: EventCursor = START;
  private readonly optOuts = new MemoryFeed<string>();
  private readonly counts = new Map<string, number>();
  private readonly listeners: Array<() => void> = [];

  async record(at: string, payload: unknown, optOuts: readonly OptOut[] = []): Promise<void> {
    if (optOuts.length > 0) await this.appendOptOuts(optOuts);
    this.append(JSON.stringify({ at, payload }));
  }

  async recordPage(at: string, entry: PageEntry): Promise<void> {
    this.append(pageLine(at, entry));
  }

  onRecorded(listener: () => void): void {
    this.listeners.push(listener);
  }

  async readFrom(offset: number, maxBytes = 64 * 1024 * 1024): Promise<{ lines: LogLine[]; end: number; size: number }> {
    const lines: LogLine[] = [];
    let end = offset;
    for (let k = this.firstFrom(offset); k < this.entries.length; k++) {
      const entry = this.entries[k] as Entry;
      const next = entry.offset + byteLength(entry.text);
      if (next - offset > maxBytes) {
        // one entry longer than maxBytes cannot be read whole: skipped, so the log goes on being applied
        if (lines.length === 0) end = next;
        break;
      }
      lines.push({ offset: entry.offset, text: entry.text });
      end = next;
    }
    return { lines, end, size: this.end };
  }

  async lineAt(offset: number): Promise<string | undefined> {
    const entry = this.entries[this.firstFrom(offset)];
    return entry?.offset === offset ? entry.text : undefined;
  }

  async countFrom(offset: number): Promise<number> {
    return this.entries.length - this.firstFrom(offset);
  }

  async size(): Promise<number> {
    return this.end;
  }

  async cursor(): Promise<EventCursor> {
    return structuredClone(this.savedCursor);
  }

  async saveCursor(cursor: EventCursor): Promise<void> {
    this.savedCursor = structuredClone(cursor);
  }

  async appendOptOuts(optOuts: readonly OptOut[]): Promise<void> {
    this.optOuts.append(...optOuts.map((o) => optOutLine(o).slice(0, -1)));
  }

  async optOutMark(): Promise<number> {
    return this.optOuts.end;
  }

  async watchOptOuts(from: number): Promise<OptOutWatch> {
    const left = new OptOutsLeft();
    const stop = this.optOuts.follow(from, (line) => left.note(line));
    return {
      hasLeft: (subscriber, topics, isMarketing) => left.hasLeft(subscriber, topics, isMarketing),
      close: async () => stop(),
    };
  }

  async streaks(): Promise<FailureStreaks> {
    return {
      note: async (subscriberId, undeliverable) => {
        const after = undeliverable ? (this.counts.get(subscriberId) ?? 0) + 1 : 0;
        if (after === 0) this.counts.delete(subscriberId);
        else this.counts.set(subscriberId, after);
        return after;
      },
    };
  }

  async erase(subscriber: Subscriber): Promise<number> {
    const target = erasureTarget(subscriber);
    const id = new TextEncoder().encode(JSON.stringify(subscriber.id));
    let isInboxChanged = false;
    this.entries = this.entries.map((entry) => {
      const text = scrubText(entry.text, (line) => {
        const contacts = hasAny(line, target.needles) && scrubEventLine(line, target);
        return (hasAny(line, [id]) && scrubIdLine(line, subscriber.id)) || contacts;
      });
      isInboxChanged ||= text !== entry.text;
      return { offset: entry.offset, text };
    });
    const { needles, scrub } = optOutScrub(subscriber);
    let isFeedChanged = false;
    this.optOuts.rewrite((line) => {
      const text = scrubText(line, (bytes) => scrub(bytes, hasAny(bytes, needles)));
      isFeedChanged ||= text !== line;
      return text;
    });
    const hadStreak = this.counts.delete(subscriber.id);
    return [isInboxChanged, hadStreak, isFeedChanged].filter(Boolean).length;
  }

  whereIs(): string {
    return 'memory:webhooks/events.jsonl';
  }

  async close(): Promise<void> {
    // nothing is held open
  }

  /** The index of the first entry at or after `offset` (the entries' count when none is). */
  private firstFrom(offset: number): number {
    let [low, high] = [0, this.entries.length];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.entries[middle] as Entry).offset < offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private append(text: string): void {
    this.entries.push({ offset: this.end, text });
    this.end += byteLength(text);
    for (const listener of this.listeners) listener();
  }
}
