import { join } from 'node:path';
import { scrubIdLine } from '../../core/erasure/line-scrub.js';
import type { PersonalDataHolder } from '../erasure.js';
import { appendDurably, LineFeed, sizeOf } from '../fs/line-feed.js';
import { scrubFileInPlace } from '../fs/scrub-in-place.js';

/**
 * `<home>/optouts.jsonl`: every opt-out as it is recorded in the store — `{"at":…,"sub":"sub_…"}` for everything,
 * with `"topic"` for one topic — appended by whoever records one (`subscribers unsubscribe`, the webhook server's
 * applier for STOPs, one-click unsubscribes and marketing stops), and read by running sends, so a citizen's choice
 * reaches a send within a second without it reading the store again (DESIGN §7). Subscriber ids only.
 */
export const optOutFile = (home: string): string => join(home, 'optouts.jsonl');

export interface OptOut {
  readonly subscriberId: string;
  /** The topic left; absent: everything. */
  readonly topic?: string;
  readonly at: string;
}

/** The feed holds subscriber ids: forget overwrites theirs where it lies (a send may be reading the feed). */
export const optOutHolder: PersonalDataHolder = {
  name: 'opt-out feed',
  async erase(subscriber, paths) {
    const id = new TextEncoder().encode(JSON.stringify(subscriber.id));
    return (await scrubFileInPlace(optOutFile(paths.home), [id], (line, hasNeedle) => hasNeedle && scrubIdLine(line, subscriber.id))) ? 1 : 0;
  },
};

/** How often a running send looks for new opt-outs. */
const POLL_MS = 500;

/** Appends opt-outs, on disk before it returns. Call it once the store has them. */
export function appendOptOuts(home: string, optOuts: readonly OptOut[]): Promise<void> {
  const lines = optOuts.map((o) => `${JSON.stringify({ at: o.at, sub: o.subscriberId, ...(o.topic === undefined ? {} : { topic: o.topic }) })}\n`);
  return appendDurably(optOutFile(home), lines.join(''));
}

/** Where the feed ends now: a send takes it before it reads the store, and watches from there. */
export function optOutMark(home: string): Promise<number> {
  return sizeOf(optOutFile(home));
}

/** The opt-outs recorded since a mark, as a running send needs them: read at start, then every half second. */
export class OptOutWatch {
  private readonly all = new Set<string>();
  private readonly topics = new Map<string, Set<string>>();

  private constructor(private feed?: LineFeed) {}

  static async start(home: string, from: number, everyMs = POLL_MS): Promise<OptOutWatch> {
    const watch = new OptOutWatch();
    watch.feed = await LineFeed.start(optOutFile(home), from, (line) => watch.note(line), everyMs);
    return watch;
  }

  /** Whether the subscriber left everything since the mark, or each of `topics` (those the send reaches them for). */
  hasLeft(subscriberId: string, topics: readonly string[]): boolean {
    if (this.all.has(subscriberId)) return true;
    const left = this.topics.get(subscriberId);
    return left !== undefined && topics.length > 0 && topics.every((t) => left.has(t));
  }

  close(): Promise<void> {
    return this.feed?.close() ?? Promise.resolve();
  }

  private note(line: string): void {
    let record: { sub?: unknown; topic?: unknown };
    try {
      record = JSON.parse(line) as { sub?: unknown; topic?: unknown };
    } catch {
      return;
    }
    if (typeof record.sub !== 'string') return;
    if (typeof record.topic !== 'string') this.all.add(record.sub);
    else this.topics.set(record.sub, (this.topics.get(record.sub) ?? new Set<string>()).add(record.topic));
  }
}
