import { describeDiskError, DISK_ERROR_CODES, isDiskCanaleError } from '../adapters/fs/disk-errors.js';
import type { TransportChoice } from '../adapters/transports/choose.js';
import { CanaleError } from '../core/errors.js';
import { erasureTarget } from '../core/erasure/line-scrub.js';
import { hasStoppedMarketing, type Delivery, type SkipReason } from '../core/audience.js';
import { addThrottling, type Campaign } from '../core/campaign.js';
import { DEFAULT_RETRY_POLICY } from '../core/dispatch/backoff.js';
import { deliver, type DeliverOutcome, type WorkItem } from '../core/dispatch/deliver.js';
import { RateWindow } from '../core/dispatch/rate-window.js';
import type { CompiledMessage } from '../core/message/compile.js';
import { renderFor, type RenderContext } from '../core/message/render.js';
import type { CampaignJournal, DroppedWatch, OptOutWatch, Watch } from '../core/ports.js';
import { buildReport, type CampaignReport } from '../core/report.js';
import { byIdOf, type Channel, type Subscriber, type SubscriberId } from '../core/subscriber.js';
import { learnUserId } from '../core/replies/identity-change.js';
import type { Envelope, Transport } from '../core/transport.js';
import type { Settings } from '../core/settings.js';
import type { Sending } from './sending.js';

export interface CampaignRun {
  readonly campaign: Campaign;
  readonly deliveries: readonly Delivery[];
  /** Positions in `deliveries` still to send. */
  readonly pending: readonly number[];
  readonly subscribers: readonly Subscriber[];
  /** Where the opt-out feed ended before `subscribers` were read: later opt-outs are read from there as it runs. */
  readonly optOutsFrom: number;
  readonly message: CompiledMessage;
  readonly render: RenderContext;
  readonly choices: Readonly<Partial<Record<Channel, TransportChoice>>>;
  readonly settings: Settings;
  /** Messages a second per channel. */
  readonly rates: Readonly<Record<Channel, number>>;
  readonly concurrency: number;
  /** Per channel, when it stops taking new recipients: quiet hours begin (DESIGN §7). */
  readonly pauseAt?: Readonly<Partial<Record<Channel, number>>>;
  /** When the quiet hours a channel paused at end. */
  readonly quietEnd?: (channel: Channel, at: Date) => Date | undefined;
  /** Recipients left out of `pending` by the WhatsApp daily tier (`--split`), and when the tier frees for them. */
  readonly deferred?: { readonly count: number; readonly freesAt?: Date };
}

export interface CampaignResult {
  readonly campaign: Campaign;
  readonly report: CampaignReport;
  readonly outcome: DeliverOutcome;
}

/**
 * What reaches a running send after its plan: people forgotten (DroppedWatch), opt-outs recorded (OptOutWatch),
 * account trouble the webhook server heard of (it aborts `trouble`).
 */
interface SinceThePlan {
  readonly dropped: DroppedWatch;
  readonly optOuts: OptOutWatch;
  readonly trouble: AbortController;
  readonly troubleFeed: Watch;
}

async function watchSinceThePlan(run: CampaignRun, sending: Sending): Promise<SinceThePlan> {
  const { campaigns, events } = sending.ports;
  const trouble = new AbortController();
  const id = run.campaign.id;
  return { dropped: await campaigns.watchDropped(id), optOuts: await events.watchOptOuts(run.optOutsFrom), trouble, troubleFeed: await campaigns.watchTrouble(id, trouble) };
}

/** Whether this channel of the campaign carries a WhatsApp marketing template. */
const isMarketingOn = (run: CampaignRun, channel: Channel): boolean => channel === 'whatsapp' && run.message.whatsappTemplate?.category === 'MARKETING';

/**
 * Why a recipient must not be sent after all, asked when they are prepared and again right before their request
 * leaves: forgotten since the send began (the snapshot still has them, the home no longer does), or an opt-out
 * from everything or from every topic the campaign reaches them for.
 */
function withdrawnSince(run: CampaignRun, byId: ReadonlyMap<string, Subscriber>, since: SinceThePlan, item: WorkItem): SkipReason | undefined {
  if (since.dropped.positions.has(item.index)) return 'opted-out';
  const subscriber = byId.get((run.deliveries[item.index] as Delivery).subscriberId);
  if (subscriber === undefined) return undefined;
  const reachedFor = subscriber.topics.filter((t) => run.campaign.query.topics.includes(t));
  return since.optOuts.hasLeft(subscriber, reachedFor, isMarketingOn(run, item.channel)) ? 'opted-out-during-send' : undefined;
}

/**
 * What to send to one recipient now, or why not: they may have been forgotten, opted out or left the campaign's
 * topics since the plan (a resume's snapshot is read again, so a topic left between a crash and the resume counts).
 */
function envelopeFor(run: CampaignRun, byId: ReadonlyMap<string, Subscriber>, since: SinceThePlan, item: WorkItem): Envelope | { skip: SkipReason } {
  const withdrawn = withdrawnSince(run, byId, since, item);
  if (withdrawn !== undefined) return { skip: withdrawn };
  const subscriber = byId.get((run.deliveries[item.index] as Delivery).subscriberId);
  if (subscriber === undefined || subscriber.status !== 'active') return { skip: 'opted-out' };
  const { topics } = run.campaign.query;
  if (topics.length > 0 && !subscriber.topics.some((t) => topics.includes(t))) return { skip: 'opted-out-of-topic' };
  if (isMarketingOn(run, item.channel) && hasStoppedMarketing(subscriber)) return { skip: 'marketing-stopped' };
  const origin = { campaignId: run.campaign.id, recipientKey: subscriber.id, recipientIndex: item.index };
  const rendering = renderFor(item.channel, run.message, subscriber, origin, run.render);
  return rendering.ok ? rendering.envelope : { skip: 'no-address' };
}

/**
 * The campaign's journal; a disk with no room for it (or its reserve) stops the campaign before anyone is sent,
 * `interrupted` and resumable: running the same send again would freeze a second campaign beside this one.
 */
async function openJournal(sending: Sending, campaign: Campaign): Promise<CampaignJournal> {
  const { campaigns } = sending.ports;
  try {
    return await campaigns.openJournal(campaign);
  } catch (error) {
    if (!isDiskCanaleError(error)) throw error;
    const reason = describeDiskError(error.cause, campaigns.journalPath(campaign.id), '') ?? error.message;
    const stopped: Campaign = { ...campaign, status: 'interrupted', finishedAt: sending.clock.now().toISOString(), stopReason: reason, stopCode: error.code };
    // on a full disk this may fail too: the campaign then stays `sending`, which resumes all the same
    await campaigns.save(stopped).catch(() => undefined);
    throw new CanaleError(error.code, `${reason}, then resume the send: canale send --resume ${campaign.id}`);
  }
}

/** A journal that could not even record why it stopped (the disk full) stops the send like any full disk. */
async function deliverOrDiskStop(input: Parameters<typeof deliver>[0], journalPath: string): Promise<DeliverOutcome> {
  try {
    return await deliver(input);
  } catch (error) {
    if (!isDiskCanaleError(error)) throw error;
    const reason = describeDiskError(error.cause, journalPath, '') ?? error.message;
    return { status: 'stopped', reason, failure: { kind: 'fatal', code: error.code, reason } };
  }
}

/**
 * People forgotten while the send ran: the records it wrote for them after the forget (a reply to a request that
 * was already out) are scrubbed now that nothing more is written for them (DESIGN §5).
 */
async function scrubDropped(sending: Sending, run: CampaignRun, byId: ReadonlyMap<string, Subscriber>, positions: ReadonlySet<number>): Promise<void> {
  if (positions.size === 0) return;
  const people = [...positions].map((i) => byId.get(run.deliveries[i]?.subscriberId ?? '')).filter((s): s is Subscriber => s !== undefined);
  await sending.ports.campaigns.scrubJournal(run.campaign.id, { needles: people.flatMap((s) => erasureTarget(s).needles) }, positions);
}

/** A user id WhatsApp gave with a send (`contacts[].user_id`) that the store does not have for that subscriber yet. */
function noteUserId(learnt: Map<SubscriberId, string>, byId: ReadonlyMap<string, Subscriber>, delivery: Delivery | undefined, userId: string): void {
  const subscriber = delivery === undefined ? undefined : byId.get(delivery.subscriberId);
  if (subscriber !== undefined && subscriber.whatsappUserId !== userId) learnt.set(subscriber.id, userId);
}

/**
 * The user ids learnt from the send's answers, kept in one small store change after it (a later STOP by user id
 * alone then finds the citizen). Not being able to keep them does not fail a send that went out: it is said.
 */
async function keepUserIds(sending: Sending, learnt: ReadonlyMap<SubscriberId, string>): Promise<void> {
  if (learnt.size === 0) return;
  const at = sending.clock.now().toISOString();
  try {
    await sending.ports.subscribers.transaction({ ids: learnt.keys(), userIds: learnt.values() }, (tx) => {
      for (const [id, userId] of learnt) learnUserId(tx, id, userId, at);
    });
  } catch (error) {
    sending.reporter.warn(`the WhatsApp user ids of ${learnt.size} recipient(s) were not kept: ${(error as Error).message}`);
  }
}

/** Why a campaign stopped when a person or the system stopped it (Ctrl-C, SIGTERM). */
export const SIGNAL_STOP = 'interrupted by Ctrl-C or SIGTERM';

/**
 * The campaign as a delivery left it: completed; waiting (`scheduled`) for quiet hours to end or for the daily tier
 * to free up, with when; or interrupted, with why.
 */
function afterDelivery(campaign: Campaign, outcome: DeliverOutcome, run: CampaignRun, now: Date): Campaign {
  const finishedAt = now.toISOString();
  const tierFrees = run.deferred !== undefined && run.deferred.count > 0 ? (run.deferred.freesAt ?? now) : undefined;
  switch (outcome.status) {
    case 'completed':
      if (tierFrees === undefined) return { ...campaign, status: 'completed', finishedAt };
      return { ...campaign, status: 'scheduled', finishedAt, waitingFor: 'daily-limit', resumeAt: tierFrees.toISOString() };
    case 'paused': {
      const ends = outcome.channels.map((c) => run.quietEnd?.(c, now)?.getTime() ?? now.getTime());
      const resumeAt = Math.max(...ends, tierFrees?.getTime() ?? 0);
      return { ...campaign, status: 'scheduled', finishedAt, waitingFor: 'quiet-hours', resumeAt: new Date(resumeAt).toISOString() };
    }
    case 'stopped':
      return { ...campaign, status: 'interrupted', finishedAt, stopReason: outcome.reason, stopCode: outcome.failure?.code ?? 'CONSECUTIVE_FAILURES' };
    case 'interrupted':
      return { ...campaign, status: 'interrupted', finishedAt, stopReason: SIGNAL_STOP, stopCode: 'SIGNAL' };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

/**
 * Sends a campaign's pending recipients, journaling each one, with progress reported; an interruption (Ctrl-C,
 * SIGTERM) stops it cleanly. The caller holds the send lock. Returns the campaign as it now stands and its report.
 */
export async function runCampaign(run: CampaignRun, sending: Sending): Promise<CampaignResult> {
  const { clock, sleeper, reporter } = sending;
  const { campaigns } = sending.ports;
  const startedAt = run.campaign.startedAt ?? clock.now().toISOString();
  const { resumeAt: _resumeAt, waitingFor: _waitingFor, stopReason: _stopReason, stopCode: _stopCode, ...before } = run.campaign;
  let campaign: Campaign = { ...before, status: 'sending', startedAt };
  await campaigns.save(campaign);
  const journal = await openJournal(sending, campaign);
  const since = await watchSinceThePlan(run, sending);
  const transports: Partial<Record<Channel, Transport>> = {};
  const limiters: Partial<Record<Channel, RateWindow>> = {};
  const factory = await sending.transports();
  for (const [channel, choice] of Object.entries(run.choices) as Array<[Channel, TransportChoice]>) {
    transports[channel] = factory.build(choice, run.settings);
    limiters[channel] = new RateWindow(run.rates[channel], clock, sleeper);
  }
  const items: WorkItem[] = run.pending.map((index) => ({ index, channel: (run.deliveries[index] as Delivery).channel }));
  const totals: Partial<Record<Channel, number>> = {};
  for (const item of items) totals[item.channel] = (totals[item.channel] ?? 0) + 1;
  const progress = reporter.progress(totals, run.rates);
  const byId = byIdOf(run.subscribers);
  const stop = new AbortController();
  void sending.untilInterrupted?.().then(() => {
    // the bars go first: what is said from here on is not drawn over
    progress.stop();
    if (!stop.signal.aborted) reporter.warn('stopping: no new messages; waiting for those in flight…');
    stop.abort();
  });
  const learnt = new Map<SubscriberId, string>();
  let outcome: DeliverOutcome;
  try {
    outcome = await deliverOrDiskStop({
      items,
      envelopeFor: (item) => envelopeFor(run, byId, since, item),
      withdrawn: (item) => withdrawnSince(run, byId, since, item),
      transports,
      limiters,
      concurrency: run.concurrency,
      policy: {
        ...DEFAULT_RETRY_POLICY,
        maxAttempts: run.settings.get('send.maxAttempts'),
        maxConsecutiveFailures: run.settings.get('send.maxConsecutiveFailures'),
      },
      journal,
      clock,
      sleeper,
      random: sending.random,
      stop: stop.signal,
      accountTrouble: since.trouble.signal,
      ...(run.pauseAt === undefined ? {} : { pauseAt: run.pauseAt }),
      onEvent: (event) => {
        if (event.type === 'sent' && event.userId !== undefined) noteUserId(learnt, byId, run.deliveries[event.index], event.userId);
        if (event.type === 'sent' || event.type === 'skipped' || event.type === 'unknown') progress.update(event.channel, { done: 1 });
        else if (event.type === 'failed') progress.update(event.channel, { done: 1, failed: 1 });
        else if (event.type === 'throttled' || event.type === 'rate') progress.rate(event.channel, event.rate);
      },
    }, campaigns.journalPath(campaign.id));
  } finally {
    progress.stop();
    // a journal the disk refused has said so in the outcome already
    await journal.close().catch((error: unknown) => {
      if (!isDiskCanaleError(error)) throw error;
    });
    await Promise.all(Object.values(transports).map((t) => t?.close?.()));
    await Promise.all([since.optOuts.close(), since.dropped.close(), since.troubleFeed.close()]);
    await scrubDropped(sending, run, byId, since.dropped.positions);
    await keepUserIds(sending, learnt);
  }
  campaign = addThrottling(afterDelivery(campaign, outcome, run, clock.now()), Object.fromEntries(Object.entries(limiters).map(([c, l]) => [c, l.throttling])));
  await campaigns.save(campaign);
  if (outcome.status === 'stopped' && DISK_ERROR_CODES.has(outcome.failure?.code ?? '')) {
    throw new CanaleError(outcome.failure?.code ?? 'DISK_FULL', `${outcome.reason}, then resume the send: canale send --resume ${campaign.id}`);
  }
  const replay = await campaigns.replay(campaign, run.deliveries.length);
  return { campaign, report: buildReport(campaign, run.deliveries.map((d) => d.channel), replay), outcome };
}
