import type { Subscriber } from '../subscriber.js';
import type { SignupDay } from './pending-signups.js';

/** Where a subscriber came from, by their consent's source. */
export type SignupSource = 'web:email' | 'web:whatsapp' | 'whatsapp' | 'staff';

/** One day (UTC) and source: web sign-ups asked, confirmed and expired, and the subscribers it brought. */
export interface StatsDay {
  readonly day: string;
  readonly source: SignupSource;
  readonly requested: number;
  readonly confirmed: number;
  readonly expired: number;
  readonly subscribed: number;
}

/** Opt-outs in the period: of one topic, or of everything (`topic` null). */
export interface TopicOptOuts {
  readonly topic: string | null;
  readonly count: number;
}

export interface SignupStats {
  readonly since: string;
  readonly days: readonly StatsDay[];
  readonly optOuts: readonly TopicOptOuts[];
  readonly pending: number;
}

const sourceOf = (s: Subscriber): SignupSource =>
  s.consent.source.startsWith('web:iscriviti') ? (s.channel === 'email' ? 'web:email' : 'web:whatsapp') : s.consent.source.startsWith('whatsapp:') ? 'whatsapp' : 'staff';

/**
 * Counts for `canale signup stats`, from `since` (an ISO day, UTC): the sign-up book's days, and one pass over the
 * subscribers — `add` each as the store's scan hands it over, none kept — for new subscribers by source and opt-outs
 * by topic from their consent histories.
 */
export class SignupStatsCounter {
  private readonly days = new Map<string, { -readonly [K in keyof StatsDay]: StatsDay[K] }>();
  private readonly optOuts = new Map<string | null, number>();

  constructor(private readonly since: string) {}

  private row(day: string, source: SignupSource) {
    const key = `${day} ${source}`;
    let row = this.days.get(key);
    if (row === undefined) {
      row = { day, source, requested: 0, confirmed: 0, expired: 0, subscribed: 0 };
      this.days.set(key, row);
    }
    return row;
  }

  book(days: readonly SignupDay[]): void {
    for (const d of days) {
      if (d.day < this.since) continue;
      const row = this.row(d.day, d.channel === 'email' ? 'web:email' : 'web:whatsapp');
      row.requested += d.requested;
      row.confirmed += d.confirmed;
      row.expired += d.expired;
    }
  }

  add(s: Subscriber): void {
    const day = s.consent.at.slice(0, 10);
    if (day >= this.since) this.row(day, sourceOf(s)).subscribed++;
    for (const e of s.history ?? []) {
      if (e.at.slice(0, 10) < this.since) continue;
      if (e.action === 'unsubscribed') this.optOuts.set(null, (this.optOuts.get(null) ?? 0) + 1);
      else if (e.action === 'topic-left' && e.topic !== undefined) this.optOuts.set(e.topic, (this.optOuts.get(e.topic) ?? 0) + 1);
    }
  }

  result(pending: number): SignupStats {
    const order: readonly SignupSource[] = ['web:email', 'web:whatsapp', 'whatsapp', 'staff'];
    return {
      since: this.since,
      days: [...this.days.values()].sort((a, b) => a.day.localeCompare(b.day) || order.indexOf(a.source) - order.indexOf(b.source)),
      optOuts: [...this.optOuts].map(([topic, count]) => ({ topic, count })).sort((a, b) => b.count - a.count || String(a.topic).localeCompare(String(b.topic))),
      pending,
    };
  }
}
