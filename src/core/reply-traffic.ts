/** Days of answers to citizens a cursor keeps: enough for the last 30 days' total. */
export const REPLY_DAYS_KEPT = 31;

const DAY_MS = 24 * 60 * 60 * 1000;
const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * The answers per UTC day with `count` more on the day of `at`, the days older than the last 31 dropped: the cursor's
 * counters stay a few hundred bytes however long the server runs. No count, the same value (none yet: none).
 */
export function countReplies(days: Readonly<Record<string, number>> | undefined, at: Date, count: number): Readonly<Record<string, number>> | undefined {
  if (count === 0) return days;
  const kept = days ?? {};
  const oldest = dayOf(new Date(at.getTime() - (REPLY_DAYS_KEPT - 1) * DAY_MS));
  const today = dayOf(at);
  const next: Record<string, number> = {};
  for (const [day, n] of Object.entries(kept)) if (day >= oldest) next[day] = n;
  next[today] = (next[today] ?? 0) + count;
  return next;
}

/** The answers to citizens sent today and in the last 30 days, and what they cost at `price.whatsapp.service`. */
export interface ReplyTraffic {
  readonly today: number;
  readonly last30Days: number;
  readonly cost: { readonly currency: string; readonly last30Days: number };
}

/**
 * Reply traffic as `webhook status`, `doctor` and `report` show it: WhatsApp service messages (free form, inside the
 * 24-hour window), counted by the webhook server, priced at the service price.
 */
export function replyTraffic(days: Readonly<Record<string, number>> | undefined, now: Date, price: { readonly currency: string; readonly service: number }): ReplyTraffic {
  const today = dayOf(now);
  const from = dayOf(new Date(now.getTime() - 29 * DAY_MS));
  let last30Days = 0;
  for (const [day, n] of Object.entries(days ?? {})) if (day >= from && day <= today) last30Days += n;
  return { today: days?.[today] ?? 0, last30Days, cost: { currency: price.currency, last30Days: Math.round(last30Days * price.service * 100) / 100 } };
}

/** `3 answer(s) to citizens today, 41 in the last 30 days (est. 0.41 EUR at price.whatsapp.service)`. */
export function describeReplyTraffic(t: ReplyTraffic): string {
  return `${t.today} answer(s) to citizens today, ${t.last30Days} in the last 30 days (est. ${t.cost.last30Days.toFixed(2)} ${t.cost.currency} at price.whatsapp.service)`;
}
