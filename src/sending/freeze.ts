import type { Delivery } from '../core/audience.js';
import type { Campaign, CampaignId } from '../core/campaign.js';
import type { Channel, SubscriberId } from '../core/subscriber.js';
import { runCampaign, type CampaignResult, type CampaignRun } from './campaign-run.js';
import { renderContextOf, type PlanSettings } from './plan-settings.js';
import { namesOf, type PreparedSend } from './prepare.js';
import type { Sending } from './sending.js';
import { delivering, pauseTimes, portionByQuota, quietEnd } from './send-window.js';

/**
 * Freezes a prepared send into campaign `id` (its record and frozen list, atomically) and sends it; the caller holds
 * the send lock. The part the daily tier does not allow now (`--split`) and channels in their quiet hours wait, and
 * the campaign says until when.
 */
export async function freezeAndSend(
  prepared: PreparedSend,
  id: CampaignId,
  extra: { readonly schedule?: string; readonly concurrency: number },
  sending: Sending,
): Promise<CampaignResult> {
  const { plan, request } = prepared;
  const campaign: Campaign = {
    id,
    status: 'sending',
    message: request.spec,
    query: { topics: prepared.message.topics, where: request.where, channel: request.channel },
    channels: prepared.message.channels,
    transports: namesOf(prepared.choices),
    recipients: plan.audience.deliveries.length,
    plannedSkips: plan.skipped,
    ...(request.urgent ? { urgent: true } : {}),
    ...(request.split ? { split: true } : {}),
    ...(request.allowFreeText ? { allowFreeText: true } : {}),
    // its own pace, so a resume or a schedule run goes on at it (DESIGN §7.2), not at whatever the settings say then
    rates: Object.fromEntries(Object.keys(prepared.choices).map((c) => [c, prepared.rates[c as Channel]])),
    concurrency: extra.concurrency,
    ...(extra.schedule === undefined ? {} : { schedule: extra.schedule }),
    createdAt: sending.clock.now().toISOString(),
  };
  await sending.ports.campaigns.create(campaign, plan.audience.deliveries);
  await eraseForgottenSincePlan(sending, prepared, id);
  sending.reporter.info(`campaign ${id}: sending…`);
  const deliveries = plan.audience.deliveries;
  const pending = deliveries.map((_d, i) => i);
  const run = { campaign, deliveries, subscribers: prepared.subscribers, optOutsFrom: prepared.optOutsFrom, message: prepared.message, render: renderContextOf(prepared.planSettings), choices: prepared.choices, settings: prepared.settings, rates: prepared.rates };
  return runCampaign({ ...run, ...(await sendWindow(sending, prepared.planSettings, campaign, deliveries, pending)), concurrency: extra.concurrency }, sending);
}

/**
 * A forget that removed someone from the store after this send read it may have looked at the campaigns before
 * this one was frozen: when the erasure mark changed, whoever of the plan the store no longer holds is erased from
 * the new campaign now (their positions dropped, so they are not sent), before anything is sent.
 */
async function eraseForgottenSincePlan(sending: Sending, prepared: PreparedSend, id: CampaignId): Promise<void> {
  const { campaigns, subscribers } = sending.ports;
  if ((await campaigns.erasureMark()) === prepared.erasureMark) return;
  const planned = new Set<SubscriberId>(prepared.subscribers.map((s) => s.id));
  const still = new Set<SubscriberId>();
  await subscribers.scan(undefined, (s) => {
    if (planned.has(s.id)) still.add(s.id);
  });
  for (const subscriber of prepared.subscribers) if (!still.has(subscriber.id)) await campaigns.eraseFrom(id, subscriber);
}

/**
 * What of `pending` goes now and what waits: the daily tier's part of a split campaign, and the instants each
 * channel pauses at for quiet hours (urgent campaigns ignore quiet hours; opt-outs still hold).
 */
export async function sendWindow(
  sending: Sending,
  settings: PlanSettings,
  campaign: Campaign,
  deliveries: readonly Delivery[],
  pending: readonly number[],
): Promise<Pick<CampaignRun, 'pending' | 'pauseAt' | 'quietEnd' | 'deferred'>> {
  const now = sending.clock.now();
  const portion = campaign.split === true ? await portionByQuota(sending.ports.campaigns, now, settings, deliveries, pending) : { now: pending, later: 0 };
  const deferred = portion.later > 0 ? { deferred: { count: portion.later, ...(portion.freesAt === undefined ? {} : { freesAt: portion.freesAt }) } } : {};
  if (campaign.urgent === true) return { pending: portion.now, ...deferred };
  return {
    pending: portion.now,
    pauseAt: pauseTimes(settings, delivering(campaign.channels, campaign.transports), sending.clock.now()),
    quietEnd: (channel, at) => quietEnd(settings, channel, at),
    ...deferred,
  };
}
