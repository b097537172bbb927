/**
 * The WhatsApp messaging tier (DESIGN §3, `whatsapp.dailyLimit`): how many unique citizens the account may message
 * in any moving 24 hours. Meta counts a citizen from their last business-initiated message, so each one frees their
 * place 24 hours after the last message canale sent them. canale knows only its own sends; messages sent to the same
 * number by other tools are not counted.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** Margin after the computed instant before a split send goes on, so Meta's window has surely moved too. */
const MARGIN_MS = 60_000;

/** Citizens messaged on WhatsApp in the last 24 hours: recipient key → epoch ms of the last message. */
export type RecentRecipients = ReadonlyMap<string, number>;

/** How much of the tier is used at `now`. */
export function quotaAt(limit: number, recent: RecentRecipients, now: Date): { readonly used: number; readonly remaining: number } {
  const since = now.getTime() - DAY_MS;
  let used = 0;
  for (const last of recent.values()) if (last > since) used++;
  return { used, remaining: Math.max(0, limit - used) };
}

export interface QuotaSplit<T> {
  /** Those who fit now: citizens already messaged in the window cost nothing, new ones up to what remains. */
  readonly now: readonly T[];
  /** The rest, in their order. */
  readonly later: readonly T[];
  /** When enough of the tier frees up for the rest (or a full tier of them), when there is a rest. */
  readonly freesAt?: Date;
}

/**
 * Splits a send's WhatsApp recipients by what the tier allows now. The rest wait until enough places free: the
 * citizens messaged now count from now, so a rest larger than the tier waits a whole day.
 */
export function splitByQuota<T>(items: readonly T[], keyOf: (item: T) => string, limit: number, recent: RecentRecipients, now: Date): QuotaSplit<T> {
  const since = now.getTime() - DAY_MS;
  const inWindow = new Map<string, number>();
  for (const [key, last] of recent) if (last > since) inWindow.set(key, last);
  let remaining = Math.max(0, limit - inWindow.size);
  const first: T[] = [];
  const later: T[] = [];
  const taken = new Set<string>();
  for (const item of items) {
    const key = keyOf(item);
    if (inWindow.has(key) || taken.has(key)) first.push(item);
    else if (remaining > 0) {
      remaining--;
      taken.add(key);
      first.push(item);
    } else later.push(item);
  }
  if (later.length === 0) return { now: first, later };
  // the window after this send: everyone in it before, and those taken now (counted from now)
  const expiries = [...inWindow.values(), ...Array.from(taken, () => now.getTime())].map((last) => last + DAY_MS).sort((a, b) => a - b);
  const needed = Math.min(new Set(later.map(keyOf)).size, limit);
  const freeAfter = expiries.length - (limit - needed);
  const at = freeAfter <= 0 ? now.getTime() : (expiries[freeAfter - 1] ?? now.getTime());
  return { now: first, later, freesAt: new Date(at + MARGIN_MS) };
}
