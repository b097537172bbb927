import type { OptOut } from '../../core/ports.js';
import { join } from 'node:path';
import { erasureTarget, scrubEventLine, scrubIdLine } from '../../core/erasure/line-scrub.js';
import type { Subscriber } from '../../core/subscriber.js';
import type { PersonalDataHolder } from '../erasure.js';
import { appendDurably, LineFeed, sizeOf } from '../fs/line-feed.js';
import { scrubFileInPlace } from '../fs/scrub-in-place.js';

/**
 * `<home>/optouts.jsonl`: every opt-out as it is recorded — `{"at":…,"sub":"sub_…"}` (or `"phone"`, `"email"`) for
 * everything, with `"topic"` for one topic — appended by whoever records one (`subscribers unsubscribe`, the
 * webhook server for STOPs, one-click unsubscribes and marketing stops), and read by running sends, so a citizen's
 * choice reaches a send within a second without it reading the store again (DESIGN §7). It can hold a phone or an
 * e-mail: forget scrubs it like the event log.
 */
export const optOutFile = (home: string): string => join(home, 'optouts.jsonl');

export type { OptOut } from '../../core/ports.js';

/** Appends opt-outs, on disk before it returns. */
export function appendOptOuts(home: string, optOuts: readonly OptOut[]): Promise<void> {
  return appendDurably(optOutFile(home), optOuts.map(optOutLine).join(''));
}

/** One line of the feed. */
export function optOutLine(o: OptOut): string {
  const who = {
    ...(o.subscriberId === undefined ? {} : { sub: o.subscriberId }),
    ...(o.phone === undefined ? {} : { phone: o.phone }),
    ...(o.userId === undefined ? {} : { user: o.userId }),
    ...(o.email === undefined ? {} : { email: o.email.toLowerCase() }),
  };
  const what = o.isMarketingOnly === true ? { marketing: true } : o.topic === undefined ? {} : { topic: o.topic };
  return `${JSON.stringify({ at: o.at, ...who, ...what })}\n`;
}

/** The feed holds subscriber ids, phones and e-mails: forget overwrites theirs where it lies (a send may be reading it). */
export const optOutHolder: PersonalDataHolder = {
  name: 'opt-out feed',
  async erase(subscriber, paths) {
    const { needles, scrub } = optOutScrub(subscriber);
    return (await scrubFileInPlace(optOutFile(paths.home), needles, scrub)) ? 1 : 0;
  },
};

/**
 * How a line of the feed loses a person: the bytes that mark a line as theirs (their id, their contacts) and the
 * scrub of such a line (`hasNeedle`: it holds one), in place; it returns whether the line changed.
 */
export function optOutScrub(subscriber: Subscriber): { readonly needles: readonly Uint8Array[]; readonly scrub: (line: Uint8Array, hasNeedle: boolean) => boolean } {
  const target = erasureTarget(subscriber);
  const id = new TextEncoder().encode(JSON.stringify(subscriber.id));
  const scrub = (line: Uint8Array, hasNeedle: boolean): boolean => {
    if (!hasNeedle) return false;
    const isIdChanged = scrubIdLine(line, subscriber.id);
    return scrubEventLine(line, target) || isIdChanged;
  };
  return { needles: [id, ...target.needles], scrub };
}

/** How often a running send looks for new opt-outs. */
const POLL_MS = 500;

/** Where the feed ends now: a send takes it before it reads the store, and watches from there. */
export function optOutMark(home: string): Promise<number> {
  return sizeOf(optOutFile(home));
}

/** The opt-outs recorded since a mark, as a running send needs them: read at start, then every half second. */
export class OptOutWatch {
  private readonly left = new OptOutsLeft();

  private constructor(private feed?: LineFeed) {}

  static async start(home: string, from: number, everyMs = POLL_MS): Promise<OptOutWatch> {
    const watch = new OptOutWatch();
    watch.feed = await LineFeed.start(optOutFile(home), from, (line) => watch.left.note(line), everyMs);
    return watch;
  }

  hasLeft(subscriber: Pick<Subscriber, 'id' | 'phone' | 'email' | 'whatsappUserId'>, topics: readonly string[], isMarketing = false): boolean {
    return this.left.hasLeft(subscriber, topics, isMarketing);
  }

  close(): Promise<void> {
    return this.feed?.close() ?? Promise.resolve();
  }
}

/** What each citizen left, from lines of the feed (optOutLine) as a watch reads them. */
export class OptOutsLeft {
  /** By `sub:…`, `phone:…`, `user:…` or `email:…`: everything (`*`) or the topics left. */
  private readonly left = new Map<string, Set<string>>();

  /**
   * Whether the subscriber left everything since the mark, or each of `topics` (those the send reaches them for),
   * or — for a marketing template on WhatsApp — stopped marketing messages.
   */
  hasLeft(subscriber: Pick<Subscriber, 'id' | 'phone' | 'email' | 'whatsappUserId'>, topics: readonly string[], isMarketing = false): boolean {
    const keys = [
      `sub:${subscriber.id}`,
      ...(subscriber.phone === undefined ? [] : [`phone:${subscriber.phone}`]),
      ...(subscriber.whatsappUserId === undefined ? [] : [`user:${subscriber.whatsappUserId}`]),
      ...(subscriber.email === undefined ? [] : [`email:${subscriber.email.toLowerCase()}`]),
    ];
    const left = new Set(keys.flatMap((k) => [...(this.left.get(k) ?? [])]));
    return left.has(ALL) || (isMarketing && left.has(MARKETING)) || (topics.length > 0 && topics.every((t) => left.has(t)));
  }

  /** Notes one line of the feed; a line that is not one (torn, scrubbed) is none. */
  note(line: string): void {
    let record: { sub?: unknown; phone?: unknown; user?: unknown; email?: unknown; topic?: unknown; marketing?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      return;
    }
    const what = record.marketing === true ? MARKETING : typeof record.topic === 'string' ? record.topic : ALL;
    for (const [kind, value] of [['sub', record.sub], ['phone', record.phone], ['user', record.user], ['email', record.email]] as const) {
      if (typeof value !== 'string') continue;
      const key = `${kind}:${value}`;
      this.left.set(key, (this.left.get(key) ?? new Set<string>()).add(what));
    }
  }
}

/** A full opt-out, and a stop of marketing messages, in the watch's table of what each citizen left (not topic ids). */
const ALL = '*';
const MARKETING = '*marketing';
