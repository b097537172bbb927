import { CHANNEL_NAME } from '../core/channels.js';
import { frozenTransports } from '../adapters/transports/choose.js';
import { isResumable, type Campaign } from '../core/campaign.js';
import { describePace, resumePace, type Pace, type PaceAsked } from '../core/campaign-pace.js';
import { resumeSelection, type ResumeSelection } from '../core/dispatch/journal-state.js';
import { CanaleError, usageError } from '../core/errors.js';
import { runCampaign, type CampaignResult } from './campaign-run.js';
import { sendWindow } from './freeze.js';
import { planSettingsOf, renderContextOf } from './plan-settings.js';
import { DEFAULT_CONCURRENCY, sendLockRequest, type Sending } from './sending.js';
import { compileForSend, readSnapshot } from './send-snapshot.js';
import { delivering, localTime, quietNow } from './send-window.js';

/** What `send --resume` asks for beyond the campaign: who is tried again, and ceilings on its own pace. */
export interface ResumeRequest extends PaceAsked {
  readonly retryFailed: boolean;
  readonly resendUnknown: boolean;
}

/**
 * `send --resume ID`: the same message to the same frozen list, reaching only who is not yet reached — refused for a
 * cancelled campaign, one with nothing left to do, a pace faster than its own, or every channel in quiet hours (not
 * urgent). Takes the send lock.
 */
export async function resumeCampaign(id: string, request: ResumeRequest, sending: Sending): Promise<CampaignResult> {
  const campaign = await sending.ports.campaigns.load(id);
  if (campaign.status === 'cancelled') throw new CanaleError('CAMPAIGN_CANCELLED', `campaign ${campaign.id} was cancelled; it cannot be resumed`);
  if (!isResumable(campaign.status) && !request.retryFailed && !request.resendUnknown) {
    throw new CanaleError('CAMPAIGN_NOT_RESUMABLE', `campaign ${campaign.id} is ${campaign.status}: nothing to resume (add --retry-failed or --resend-unknown to try those again)`);
  }
  const settings = planSettingsOf(sending.settings, sending.clock);
  const paced = resumePace(campaign, request, { rates: settings.rates, concurrency: DEFAULT_CONCURRENCY });
  if ('refused' in paced) throw usageError('SEND_RESUME_FASTER', paced.refused);
  if (campaign.urgent !== true) {
    const channels = delivering(campaign.channels, campaign.transports);
    const quiet = quietNow(settings, channels, sending.clock.now());
    if (quiet.length === channels.length && quiet[0] !== undefined) {
      throw new CanaleError(
        'SEND_QUIET_HOURS',
        `not resumed: ${channels.map((c) => CHANNEL_NAME[c]).join(' and ')} quiet hours until ${localTime(quiet[0].endsAt, settings.timezone)} — the first canale schedule run from then resumes it`,
      );
    }
  }
  const run = { retryFailed: request.retryFailed, resendUnknown: request.resendUnknown, pace: paced.pace };
  return sending.ports.locks.withSendLock(sendLockRequest(sending, campaign.id), () => continueCampaign(campaign, run, sending));
}

/**
 * Goes on with a campaign: the same message to the same frozen list, only who is not yet reached (and, when asked,
 * those who failed or whose outcome is unknown). The caller holds the send lock.
 */
export async function continueCampaign(
  campaign: Campaign,
  options: { readonly retryFailed: boolean; readonly resendUnknown: boolean; readonly pace: Pace },
  sending: Sending,
): Promise<CampaignResult> {
  const { campaigns, events, subscribers } = sending.ports;
  const settings = sending.settings;
  // the transports it was planned with, never others: missing credentials stop it here, before anything is sent
  const what = `campaign ${campaign.id}${campaign.schedule === undefined ? '' : ` (schedule ${campaign.schedule})`}`;
  const choices = frozenTransports(campaign.transports, settings, { home: sending.home, what });
  for (const choice of Object.values(choices)) if (choice.warning !== undefined) sending.reporter.warn(`campaign ${campaign.id}: ${choice.warning}`);
  const deliveries = await campaigns.recipients(campaign).catch((error: unknown) => {
    throw error instanceof CanaleError && error.code === 'CAMPAIGN_DAMAGED' ? campaigns.damaged(campaign.id, error.message) : error;
  });
  const replay = await campaigns.replay(campaign, deliveries.length);
  const graceMinutes = settings.get('send.unknownGraceMinutes');
  const selection = resumeSelection(replay, {
    resendUnknown: options.resendUnknown,
    retryFailed: options.retryFailed,
    now: sending.clock.now(),
    unknownGraceMs: graceMinutes * 60_000,
    isWhatsApp: (i) => deliveries[i]?.channel === 'whatsapp',
    ...(campaign.startedAt === undefined ? {} : { sentSince: campaign.finishedAt ?? campaign.startedAt }),
  });
  const { pending } = selection;
  // before the store is read: opt-outs recorded from here on reach the send through the feed
  const optOutsFrom = await events.optOutMark();
  const listed = new Set<string>(deliveries.map((d) => d.subscriberId));
  const snapshot = await readSnapshot(subscribers, { keep: (s) => listed.has(s.id) }, campaign.message);
  const message = compileForSend(campaign.message, snapshot, campaign.query.topics);
  const planSettings = planSettingsOf(sending.settings, sending.clock);
  sayWhatReceiptsSettled(sending, campaign, replay.settledByReceipt.size, selection, graceMinutes, planSettings.timezone);
  sending.reporter.info(`campaign ${campaign.id}: ${pending.length} recipient(s) still to reach, at ${describePace(campaign, options.pace)}`);
  if (pending.length > 0) {
    // mark the unknown and retried as not yet reached, so a crash during this resume cannot lose them
    const journal = await campaigns.openJournal(campaign);
    pending.forEach((i) => journal.released(i));
    await journal.close();
  }
  const run = { campaign, deliveries, subscribers: snapshot.subscribers, optOutsFrom, message, render: renderContextOf(planSettings), choices, settings, rates: options.pace.rates };
  return runCampaign({ ...run, ...(await sendWindow(sending, planSettings, campaign, deliveries, pending)), concurrency: options.pace.concurrency }, sending);
}

/**
 * What a resume says about recipients whose outcome was unknown (DESIGN §7.2): how many receipts settled, how many
 * still wait for theirs and until when, or that none can come; and who the per-user marketing limit holds back.
 */
function sayWhatReceiptsSettled(sending: Sending, campaign: Campaign, settled: number, selection: ResumeSelection, graceMinutes: number, zone: string): void {
  const { reporter } = sending;
  if (settled > 0) reporter.info(`campaign ${campaign.id}: ${settled} recipient(s) whose answer was lost were settled by their receipts (WhatsApp had accepted them): not sent again`);
  const { heldUnknown, heldMarketing, unknownWithoutReceipts } = selection;
  if (heldUnknown !== undefined) {
    reporter.warn(
      `campaign ${campaign.id}: ${heldUnknown.count} WhatsApp recipient(s) of unknown outcome wait until ${localTime(new Date(heldUnknown.until), zone)} for their receipts (send.unknownGraceMinutes: ${graceMinutes}): WhatsApp may have accepted them — run the same command again then to send to those still unknown`,
    );
  }
  if (unknownWithoutReceipts > 0) {
    reporter.warn(
      `campaign ${campaign.id}: no receipt has reached this campaign (is canale webhook serve receiving them?), so nothing can tell whether the ${unknownWithoutReceipts} WhatsApp recipient(s) of unknown outcome got it: they are sent again, and those WhatsApp had accepted get it twice`,
    );
  }
  if (heldMarketing !== undefined) {
    reporter.warn(`campaign ${campaign.id}: ${heldMarketing.count} recipient(s) hit WhatsApp's per-user marketing limit (131049): tried again only 24 hours after, from ${localTime(new Date(heldMarketing.until), zone)}`);
  }
}
