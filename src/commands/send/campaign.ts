import { resolve } from 'node:path';
import { campaignDir, journalFile, readFrozenList } from '../../adapters/campaign/campaign-files.js';
import { eraseFromCampaign } from '../../adapters/campaign/campaign-erasure.js';
import { freezeCampaign } from '../../adapters/campaign/campaign-freeze.js';
import { readErasureMark } from '../../adapters/campaign/erasure-mark.js';
import { optOutMark } from '../../adapters/optout/optout-feed.js';
import { damagedCampaignError, loadCampaign } from '../../adapters/campaign/campaign-store.js';
import { JournalFile, replayJournal } from '../../adapters/journal/journal-file.js';
import { loadMessageFile } from '../../adapters/message/message-file.js';
import { frozenTransports } from '../../adapters/transports/select.js';
import type { Delivery } from '../../core/audience.js';
import { isResumable, type Campaign, type CampaignId } from '../../core/campaign.js';
import { describePace, resumePace, type Pace } from '../../core/campaign-pace.js';
import { resumeSelection, type ResumeSelection } from '../../core/dispatch/journal-state.js';
import { CanaleError, EXIT, usageError } from '../../core/errors.js';
import { textMessage, type MessageSpec } from '../../core/message/message-spec.js';
import type { Channel } from '../../core/subscriber.js';
import { CHANNEL_NAME } from '../../core/channels.js';
import type { Context } from '../context.js';
import { composeMessageFile } from '../compose/index.js';
import { readPlanSettings, renderContextOf, type PlanSettings } from '../preview/plan-settings.js';
import { delivering, describeWait, localTime, pauseTimes, portionByQuota, quietConflict, quietEnd, quietNow } from './send-window.js';
import { compileForSend, namesOf, prepareSend, refuseIfBlocked, refuseUnknownWhere, requestOf, type PreparedSend } from './prepare.js';
import { DEFAULT_CONCURRENCY, type CampaignSendOptions, type ResumeOptions } from './campaign-options.js';
import { runCampaign, type CampaignResult, type CampaignRun } from './campaign-run.js';
import { messageLabel, printPlan, printReport } from './print.js';
import { withSendLock } from '../../adapters/campaign/send-lock.js';

async function loadSpec(options: CampaignSendOptions, ctx: Context): Promise<MessageSpec> {
  if (options.message !== undefined) return loadMessageFile(resolve(ctx.deps.cwd, options.message));
  if (options.text !== undefined) return textMessage(options.text, [], options.subject);
  if (ctx.ui.isInteractive) {
    // DESIGN §2: on a terminal, no message means the compose wizard for these topics; the send goes on with its file
    const { path } = await composeMessageFile({ topics: options.topics }, ctx);
    return loadMessageFile(path);
  }
  throw usageError('SEND_MESSAGE_MISSING', 'say what to send: --message FILE (a message file) or --text TEXT');
}

function exitCodeOf(result: CampaignResult, ctx: Context, zone: string): number {
  const resume = `canale send --resume ${result.campaign.id}`;
  if (result.campaign.status === 'scheduled') ctx.ui.warn(describeWait(result.campaign, zone));
  switch (result.outcome.status) {
    case 'completed':
    case 'paused':
      // recipients whose outcome is unknown are not known to be reached: partial, as failed ones are (DESIGN §4)
      return result.report.counts.failed > 0 || result.report.counts.unknown > 0 ? EXIT.partial : EXIT.ok;
    case 'interrupted':
      ctx.ui.warn(`interrupted: resume with: ${resume}`);
      return EXIT.interrupted;
    case 'stopped':
      throw new CanaleError('SEND_STOPPED', `the send stopped: ${result.outcome.reason} — fix it, then resume with: ${resume}`);
    default: {
      const unreachable: never = result.outcome;
      return unreachable;
    }
  }
}

/** Who takes the send lock: this campaign, now, this process; waiting for a crashed send's lock is said on stderr. */
export function sendLockHolder(ctx: Context, campaign: string): Parameters<typeof withSendLock>[1] {
  return { campaign, startedAt: ctx.now(), ...(ctx.deps.processes === undefined ? {} : { owner: ctx.deps.processes }), onWait: (m) => ctx.ui.info(m) };
}

/**
 * Freezes a prepared send into campaign `id` and sends it; the caller holds the send lock. The part the daily tier
 * does not allow now (`--split`) and channels in their quiet hours wait, and the campaign says until when.
 */
export async function freezeAndSend(
  ctx: Context,
  prepared: PreparedSend,
  id: CampaignId,
  extra: { readonly schedule?: string; readonly concurrency: number },
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
    createdAt: ctx.now(),
  };
  await freezeCampaign(ctx.paths.home, campaign, plan.audience.deliveries);
  await eraseForgottenSincePlan(ctx, prepared, id);
  ctx.ui.info(`campaign ${id}: sending…`);
  const deliveries = plan.audience.deliveries;
  const pending = deliveries.map((_d, i) => i);
  const run = { campaign, deliveries, subscribers: prepared.subscribers, optOutsFrom: prepared.optOutsFrom, message: prepared.message, render: renderContextOf(prepared.planSettings), choices: prepared.choices, settings: prepared.settings, rates: prepared.rates };
  return runCampaign({ ...run, ...(await sendWindow(ctx, prepared.planSettings, campaign, deliveries, pending)), concurrency: extra.concurrency }, ctx);
}

/**
 * A forget that removed someone from the store after this send read it may have looked at the campaigns before
 * this one was frozen: when the erasure mark changed, whoever of the plan the store no longer holds is erased from
 * the new campaign now (their positions dropped, so they are not sent), before anything is sent.
 */
async function eraseForgottenSincePlan(ctx: Context, prepared: PreparedSend, id: CampaignId): Promise<void> {
  if ((await readErasureMark(ctx.paths.home)) === prepared.erasureMark) return;
  const still = new Set((await (await ctx.store()).read()).subscribers.map((s) => s.id));
  const dir = campaignDir(ctx.paths.home, id);
  for (const subscriber of prepared.subscribers) if (!still.has(subscriber.id)) await eraseFromCampaign(dir, subscriber);
}

/**
 * What of `pending` goes now and what waits: the daily tier's part of a split campaign, and the instants each
 * channel pauses at for quiet hours (urgent campaigns ignore quiet hours; opt-outs still hold).
 */
async function sendWindow(
  ctx: Context,
  settings: PlanSettings,
  campaign: Campaign,
  deliveries: readonly Delivery[],
  pending: readonly number[],
): Promise<Pick<CampaignRun, 'pending' | 'pauseAt' | 'quietEnd' | 'deferred'>> {
  const portion = campaign.split === true ? await portionByQuota(ctx, settings, deliveries, pending) : { now: pending, later: 0 };
  const deferred = portion.later > 0 ? { deferred: { count: portion.later, ...(portion.freesAt === undefined ? {} : { freesAt: portion.freesAt }) } } : {};
  if (campaign.urgent === true) return { pending: portion.now, ...deferred };
  return {
    pending: portion.now,
    pauseAt: pauseTimes(settings, delivering(campaign.channels, campaign.transports), ctx.deps.clock.now()),
    quietEnd: (channel, at) => quietEnd(settings, channel, at),
    ...deferred,
  };
}

/**
 * Why a send a person starts now would break quiet hours — inside them, or running into them by its estimated
 * length — or undefined. `--urgent` sends anyway.
 */
function quietHoursConflict(prepared: PreparedSend, now: Date): string | undefined {
  if (prepared.request.urgent) return undefined;
  const { recipients, rates } = prepared.plan;
  const seconds: Partial<Record<Channel, number>> = {};
  for (const channel of delivering(['whatsapp', 'email'], namesOf(prepared.choices))) seconds[channel] = recipients[channel] / Math.max(rates[channel], 0.001);
  if (seconds.whatsapp !== undefined && prepared.request.split && prepared.planSettings.whatsappDailyLimit !== undefined) {
    seconds.whatsapp = Math.min(recipients.whatsapp, prepared.planSettings.whatsappDailyLimit) / Math.max(rates.whatsapp, 0.001);
  }
  return quietConflict(prepared.planSettings, seconds, now);
}

/**
 * A send that would break quiet hours goes only as urgent: with `--urgent`, or — on a terminal, without `--yes` —
 * when the person confirms that it is. Otherwise it is refused with when they end.
 */
async function urgentOrRefused(prepared: PreparedSend, ctx: Context, dryRun: boolean): Promise<PreparedSend> {
  const conflict = quietHoursConflict(prepared, ctx.deps.clock.now());
  if (conflict === undefined) return prepared;
  const refused = new CanaleError(
    'SEND_QUIET_HOURS',
    `not sent: ${conflict} — schedule it for then (canale schedule add FILE --topic … --at "YYYY-MM-DD HH:MM"), or add --urgent if it cannot wait (emergencies)`,
  );
  if (dryRun || ctx.yes || !ctx.ui.isInteractive) throw refused;
  ctx.ui.warn(conflict);
  const urgent = await ctx.deps.prompter.confirm('Quiet hours: is this urgent (an emergency that cannot wait until they end)?', false);
  if (!urgent) throw refused;
  return { ...prepared, request: { ...prepared.request, urgent: true } };
}

/** `canale send --topic T --message FILE`: plan, show, confirm, freeze the campaign, deliver, report. */
export async function runSendCampaign(options: CampaignSendOptions, ctx: Context): Promise<number> {
  const spec = await loadSpec(options, ctx);
  const planned = await prepareSend(requestOf(options, spec), ctx);
  refuseUnknownWhere(planned);
  const { plan, choices } = planned;
  printPlan(ctx, plan, choices, planned.warnings, options.json, options.urgent);
  refuseIfBlocked(planned);
  if (plan.recipients.total === 0) {
    ctx.ui.info('nobody to send to — nothing was sent');
    return EXIT.ok;
  }
  const prepared = await urgentOrRefused(planned, ctx, options.dryRun);
  if (options.dryRun) return EXIT.ok;
  await ctx.confirm(
    `Send ${prepared.request.urgent ? 'URGENTLY ' : ''}to ${plan.recipients.total} recipient(s) (WhatsApp ${plan.recipients.whatsapp} via ${choices.whatsapp?.name ?? '-'}, e-mail ${plan.recipients.email} via ${choices.email?.name ?? '-'}): ${messageLabel(plan.message)}?`,
    'canale send … --yes',
  );
  const id = ctx.deps.ids.next('cmp_') as CampaignId;
  // the lock comes before the campaign record: a send refused as busy leaves no campaign behind
  const result = await withSendLock(ctx.paths.home, sendLockHolder(ctx, id), () => freezeAndSend(ctx, prepared, id, options));
  return reportAndExit(ctx, result, options.json);
}

/** Prints a send's report; the exit code says how it ended. */
async function reportAndExit(ctx: Context, result: CampaignResult, json: boolean): Promise<number> {
  const zone = (await readPlanSettings(ctx)).timezone;
  printReport(ctx.ui, result.report, json, zone);
  return exitCodeOf(result, ctx, zone);
}

/** `canale send --resume ID`: the same message to the same frozen list, reaching only who is not yet reached. */
export async function runResume(options: ResumeOptions, ctx: Context): Promise<number> {
  const campaign = await loadCampaign(ctx.paths.home, options.campaign);
  if (campaign.status === 'cancelled') throw new CanaleError('CAMPAIGN_CANCELLED', `campaign ${campaign.id} was cancelled; it cannot be resumed`);
  if (!isResumable(campaign.status) && !options.retryFailed && !options.resendUnknown) {
    throw new CanaleError('CAMPAIGN_NOT_RESUMABLE', `campaign ${campaign.id} is ${campaign.status}: nothing to resume (add --retry-failed or --resend-unknown to try those again)`);
  }
  const settings = await readPlanSettings(ctx);
  const paced = resumePace(campaign, options, { rates: settings.rates, concurrency: DEFAULT_CONCURRENCY });
  if ('refused' in paced) throw usageError('SEND_RESUME_FASTER', paced.refused);
  if (campaign.urgent !== true) {
    const channels = delivering(campaign.channels, campaign.transports);
    const quiet = quietNow(settings, channels, ctx.deps.clock.now());
    if (quiet.length === channels.length && quiet[0] !== undefined) {
      throw new CanaleError(
        'SEND_QUIET_HOURS',
        `not resumed: ${channels.map((c) => CHANNEL_NAME[c]).join(' and ')} quiet hours until ${localTime(quiet[0].endsAt, settings.timezone)} — the first canale schedule run from then resumes it`,
      );
    }
  }
  const run = { retryFailed: options.retryFailed, resendUnknown: options.resendUnknown, pace: paced.pace };
  const result = await withSendLock(ctx.paths.home, sendLockHolder(ctx, campaign.id), () => continueCampaign(campaign, run, ctx));
  return reportAndExit(ctx, result, options.json);
}

/**
 * Goes on with a campaign: the same message to the same frozen list, only who is not yet reached (and, when asked,
 * those who failed or whose outcome is unknown). The caller holds the send lock.
 */
export async function continueCampaign(
  campaign: Campaign,
  options: { readonly retryFailed: boolean; readonly resendUnknown: boolean; readonly pace: Pace },
  ctx: Context,
): Promise<CampaignResult> {
  const settings = await ctx.settings();
  // the transports it was planned with, never others: missing credentials stop it here, before anything is sent
  const what = `campaign ${campaign.id}${campaign.schedule === undefined ? '' : ` (schedule ${campaign.schedule})`}`;
  const choices = frozenTransports(campaign.transports, settings, { home: ctx.paths.home, what });
  for (const choice of Object.values(choices)) if (choice.warning !== undefined) ctx.ui.warn(`campaign ${campaign.id}: ${choice.warning}`);
  const dir = campaignDir(ctx.paths.home, campaign.id);
  const deliveries = await readFrozenList(ctx.paths.home, campaign).catch((error: unknown) => {
    throw error instanceof CanaleError && error.code === 'CAMPAIGN_DAMAGED' ? damagedCampaignError(ctx.paths.home, campaign.id, error.message) : error;
  });
  const replay = await replayJournal(journalFile(dir), deliveries.length);
  const graceMinutes = settings.get('send.unknownGraceMinutes');
  const selection = resumeSelection(replay, {
    resendUnknown: options.resendUnknown,
    retryFailed: options.retryFailed,
    now: ctx.deps.clock.now(),
    unknownGraceMs: graceMinutes * 60_000,
    isWhatsApp: (i) => deliveries[i]?.channel === 'whatsapp',
    ...(campaign.startedAt === undefined ? {} : { sentSince: campaign.finishedAt ?? campaign.startedAt }),
  });
  const { pending } = selection;
  // before the store is read: opt-outs recorded from here on reach the send through the feed
  const optOutsFrom = await optOutMark(ctx.paths.home);
  const data = await (await ctx.store()).read();
  const message = compileForSend(campaign.message, data, campaign.query.topics);
  const planSettings = await readPlanSettings(ctx);
  sayWhatReceiptsSettled(ctx, campaign, replay.settledByReceipt.size, selection, graceMinutes, planSettings.timezone);
  ctx.ui.info(`campaign ${campaign.id}: ${pending.length} recipient(s) still to reach, at ${describePace(campaign, options.pace)}`);
  if (pending.length > 0) {
    // mark the unknown and retried as not yet reached, so a crash during this resume cannot lose them
    const journal = await JournalFile.open(journalFile(dir), ctx.deps.clock);
    pending.forEach((i) => journal.released(i));
    await journal.close();
  }
  const run = { campaign, deliveries, subscribers: data.subscribers, optOutsFrom, message, render: renderContextOf(planSettings), choices, settings, rates: options.pace.rates };
  return runCampaign({ ...run, ...(await sendWindow(ctx, planSettings, campaign, deliveries, pending)), concurrency: options.pace.concurrency }, ctx);
}

/**
 * What a resume says about recipients whose outcome was unknown (DESIGN §7.2): how many receipts settled, how many
 * still wait for theirs and until when, or that none can come; and who the per-user marketing limit holds back.
 */
function sayWhatReceiptsSettled(ctx: Context, campaign: Campaign, settled: number, selection: ResumeSelection, graceMinutes: number, zone: string): void {
  if (settled > 0) ctx.ui.info(`campaign ${campaign.id}: ${settled} recipient(s) whose answer was lost were settled by their receipts (WhatsApp had accepted them): not sent again`);
  const { heldUnknown, heldMarketing, unknownWithoutReceipts } = selection;
  if (heldUnknown !== undefined) {
    ctx.ui.warn(
      `campaign ${campaign.id}: ${heldUnknown.count} WhatsApp recipient(s) of unknown outcome wait until ${localTime(new Date(heldUnknown.until), zone)} for their receipts (send.unknownGraceMinutes: ${graceMinutes}): WhatsApp may have accepted them — run the same command again then to send to those still unknown`,
    );
  }
  if (unknownWithoutReceipts > 0) {
    ctx.ui.warn(
      `campaign ${campaign.id}: no receipt has reached this campaign (is canale webhook serve receiving them?), so nothing can tell whether the ${unknownWithoutReceipts} WhatsApp recipient(s) of unknown outcome got it: they are sent again, and those WhatsApp had accepted get it twice`,
    );
  }
  if (heldMarketing !== undefined) {
    ctx.ui.warn(`campaign ${campaign.id}: ${heldMarketing.count} recipient(s) hit WhatsApp's per-user marketing limit (131049): tried again only 24 hours after, from ${localTime(new Date(heldMarketing.until), zone)}`);
  }
}
