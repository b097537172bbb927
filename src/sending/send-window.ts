import type { Delivery } from '../core/audience.js';
import type { Campaign } from '../core/campaign.js';
import { DAY_MS, quotaAt, splitByQuota } from '../core/daily-quota.js';
import { formatQuietHours, quietEntry, quietState } from '../core/schedule/quiet-hours.js';
import { formatLocal } from '../core/schedule/zoned-time.js';
import type { Channel } from '../core/subscriber.js';
import type { CampaignStore } from '../core/ports.js';
import type { PlanSettings } from './plan-settings.js';
import type { SendPlan } from '../core/plan.js';

const LABEL: Readonly<Record<Channel, string>> = { whatsapp: 'WhatsApp', email: 'e-mail' };

/** "2026-11-29 08:00 (Europe/Rome)": an instant as the city reads it. */
export function localTime(instant: Date, zone: string): string {
  return `${formatLocal(instant, zone)} (${zone})`;
}

/**
 * The channels that really reach citizens: quiet hours protect their phones and inboxes, so a channel whose
 * transport is the outbox (files in the home, nothing leaves the machine) has none, nor one with no transport at all
 * (a campaign whose recipients are all on the other channel records none for it).
 */
export function delivering(channels: readonly Channel[], transports: Readonly<Partial<Record<Channel, string>>>): Channel[] {
  return channels.filter((c) => transports[c] !== undefined && transports[c] !== 'outbox');
}

/** The channels of `channels` that are in their quiet hours at `now`, with when those end. */
export function quietNow(settings: PlanSettings, channels: readonly Channel[], now: Date): Array<{ readonly channel: Channel; readonly endsAt: Date }> {
  const quiet: Array<{ channel: Channel; endsAt: Date }> = [];
  for (const channel of channels) {
    const hours = settings.quietHours[channel];
    if (hours === undefined) continue;
    const state = quietState(hours, settings.timezone, now);
    if (state.quiet) quiet.push({ channel, endsAt: state.endsAt });
  }
  return quiet;
}

/**
 * Per channel, the instant its quiet hours next begin (now, when they already have): a send stops taking new
 * recipients there, and waits for the next `schedule run` after they end.
 */
export function pauseTimes(settings: PlanSettings, channels: readonly Channel[], now: Date): Partial<Record<Channel, number>> {
  const times: Partial<Record<Channel, number>> = {};
  for (const channel of channels) {
    const hours = settings.quietHours[channel];
    if (hours === undefined) continue;
    const state = quietState(hours, settings.timezone, now);
    times[channel] = state.quiet ? now.getTime() : state.startsAt.getTime();
  }
  return times;
}

/** When the quiet hours a channel entered at `at` end. */
export function quietEnd(settings: PlanSettings, channel: Channel, at: Date): Date | undefined {
  const hours = settings.quietHours[channel];
  if (hours === undefined) return undefined;
  const state = quietState(hours, settings.timezone, at);
  return state.quiet ? state.endsAt : undefined;
}

/**
 * Why a send started now by a person would break quiet hours — it starts inside them, or would still be running
 * when they begin — or undefined when it would not. `seconds` is the send's estimated length per channel.
 */
export function quietConflict(settings: PlanSettings, seconds: Readonly<Partial<Record<Channel, number>>>, now: Date): string | undefined {
  for (const [channel, length] of Object.entries(seconds) as Array<[Channel, number]>) {
    const hours = settings.quietHours[channel];
    if (hours === undefined || length <= 0) continue;
    const zone = settings.timezone;
    const state = quietState(hours, zone, now);
    const window = `${LABEL[channel]} quiet hours (${formatQuietHours(hours)}, ${zone})`;
    if (state.quiet) return `it is ${formatLocal(now, zone)}, inside the ${window}; they end at ${formatLocal(state.endsAt, zone)}`;
    const entry = quietEntry(hours, zone, now, new Date(now.getTime() + length * 1000));
    if (entry !== undefined) {
      const end = quietEnd(settings, channel, entry);
      return `this send takes about ${Math.ceil(length / 60)} min and would run into the ${window} at ${formatLocal(entry, zone)}${end === undefined ? '' : `; they end at ${formatLocal(end, zone)}`}`;
    }
  }
  return undefined;
}

/** The part of a send that goes now, and the rest that waits for the WhatsApp daily tier. */
export interface QuotaPortion {
  readonly now: readonly number[];
  readonly later: number;
  readonly freesAt?: Date;
}

/**
 * The WhatsApp tier as it stands, when one is configured: used and remaining, and how many of `recipients` would
 * take a new place in it (those already messaged in the window take none).
 */
export async function whatsAppQuota(
  campaigns: Pick<CampaignStore, 'recentWhatsAppRecipients'>,
  now: Date,
  settings: PlanSettings,
  recipients: readonly string[],
): Promise<{ readonly limit: number; readonly used: number; readonly remaining: number; readonly fresh: number } | undefined> {
  if (settings.whatsappDailyLimit === undefined) return undefined;
  const recent = await campaigns.recentWhatsAppRecipients(now);
  const since = now.getTime() - DAY_MS;
  const fresh = new Set(recipients.filter((id) => !((recent.get(id) ?? 0) > since))).size;
  return { limit: settings.whatsappDailyLimit, ...quotaAt(settings.whatsappDailyLimit, recent, now), fresh };
}

/**
 * Splits a split send's pending recipients (positions in `deliveries`) by the WhatsApp tier: e-mail and whoever fits
 * go now, the other WhatsApp recipients wait until the tier frees up (DESIGN §7).
 */
export async function portionByQuota(
  campaigns: Pick<CampaignStore, 'recentWhatsAppRecipients'>,
  now: Date,
  settings: PlanSettings,
  deliveries: readonly Delivery[],
  pending: readonly number[],
): Promise<QuotaPortion> {
  const limit = settings.whatsappDailyLimit;
  if (limit === undefined) return { now: pending, later: 0 };
  const whatsapp = pending.filter((i) => deliveries[i]?.channel === 'whatsapp');
  if (whatsapp.length === 0) return { now: pending, later: 0 };
  const recent = await campaigns.recentWhatsAppRecipients(now);
  const split = splitByQuota(whatsapp, (i) => deliveries[i]?.subscriberId ?? '', limit, recent, now);
  if (split.later.length === 0) return { now: pending, later: 0 };
  const waiting = new Set(split.later);
  return { now: pending.filter((i) => !waiting.has(i)), later: split.later.length, ...(split.freesAt === undefined ? {} : { freesAt: split.freesAt }) };
}

/** What a campaign that waits says about itself: why, and until when. */
export function describeWait(campaign: Pick<Campaign, 'id' | 'resumeAt' | 'waitingFor'>, zone: string): string {
  const until = campaign.resumeAt === undefined ? 'later' : localTime(new Date(campaign.resumeAt), zone);
  const why = campaign.waitingFor === 'daily-limit' ? "for the WhatsApp daily tier to free up" : 'for quiet hours to end';
  return `campaign ${campaign.id} waits ${why}: the first canale schedule run from ${until} goes on with it`;
}

/** The subscribers a plan sends to on WhatsApp. */
export function whatsAppRecipients(plan: SendPlan): string[] {
  return plan.audience.deliveries.filter((d) => d.channel === 'whatsapp').map((d) => d.subscriberId);
}
