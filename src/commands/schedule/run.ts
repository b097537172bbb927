import type { Campaign, CampaignId } from '../../core/campaign.js';
import { CanaleError, EXIT } from '../../core/errors.js';
import { channelsOfSchedule, dueAt, fired, type Schedule } from '../../core/schedule/schedule.js';
import type { DamagedCampaign } from '../../core/ports.js';
import type { Channel } from '../../core/subscriber.js';
import { resumePace } from '../../core/campaign-pace.js';
import { SIGNAL_STOP, type CampaignResult } from '../../sending/campaign-run.js';
import { freezeAndSend } from '../../sending/freeze.js';
import { planSettingsOf, ratesOf, type PlanSettings } from '../../sending/plan-settings.js';
import { prepareSend, refuseIfBlocked, transportFor } from '../../sending/prepare.js';
import { continueCampaign } from '../../sending/resume.js';
import { DEFAULT_CONCURRENCY, sendLockRequest, type Sending } from '../../sending/sending.js';
import { delivering, localTime, quietNow } from '../../sending/send-window.js';
import type { Settings } from '../../core/settings.js';
import type { Context } from '../context.js';
import { sendingOf } from '../sending-of.js';
import { reportEntry, verbose, waitingCampaigns } from './run-output.js';
import { requestOfSchedule, requireScheduleTransports } from './schedule-request.js';

export interface ScheduleRunOptions {
  readonly json: boolean;
  readonly verbose: boolean;
}

/** What one `schedule run` did with one schedule or campaign (DESIGN §10: `schedule run --json`). */
export interface RunEntry {
  readonly action: 'fired' | 'resumed' | 'waiting' | 'failed' | 'busy';
  readonly schedule?: string;
  readonly campaign?: string;
  readonly slot?: string;
  readonly missed?: number;
  readonly status?: string;
  readonly counts?: CampaignResult['report']['counts'];
  readonly until?: string;
  readonly reason?: string;
  /** Recipients of unknown outcome: what `--resend-unknown` would do, and its risk (as in the report). */
  readonly unknownAdvice?: string;
}

/** Work a run found: a schedule due now, or a campaign to go on with. */
type Work =
  | { readonly kind: 'fire'; readonly schedule: Schedule }
  | { readonly kind: 'create'; readonly schedule: Schedule; readonly campaign: string; readonly slot: string }
  | { readonly kind: 'continue'; readonly campaign: Campaign; readonly why: string };

const RUN_LOCK = 'schedule-run';

/**
 * `canale schedule run`, for cron or a systemd timer, once a minute: goes on with campaigns that wait (quiet hours
 * over, the daily tier freed up) or whose run crashed, then sends every due schedule exactly once. Never prompts.
 * One run at a time per home: a run that finds another one working leaves the work to it and exits 0.
 */
export async function runScheduleRun(options: ScheduleRunOptions, ctx: Context): Promise<number> {
  const sending = await sendingOf(ctx);
  const holder = { startedAt: ctx.now(), onWait: (m: string) => verbose(ctx, options, m) };
  try {
    return await sending.ports.locks.withLock(RUN_LOCK, holder, () => runLocked(options, ctx, sending), (current) => new CanaleError('RUN_BUSY', `another canale schedule run is working (process ${current.pid ?? '?'}, since ${current.startedAt ?? '?'})`, { exit: 'busy' }));
  } catch (error) {
    if (!(error instanceof CanaleError && error.code === 'RUN_BUSY')) throw error;
    // cron starts a run every minute while a long send goes on: not an error, the other run has the work in hand
    verbose(ctx, options, `${error.message}: it has the due work in hand`);
    if (options.json) ctx.ui.json({ at: ctx.now(), entries: [{ action: 'busy', reason: error.message }], next: null });
    return EXIT.ok;
  }
}

async function runLocked(options: ScheduleRunOptions, ctx: Context, sending: Sending): Promise<number> {
  const settings = planSettingsOf(sending.settings, sending.clock);
  const transports = sending.settings;
  const now = ctx.deps.clock.now();
  const { work, damaged } = await findWork(sending, now);
  // a damaged folder is one campaign this run cannot see to: said once, and everything else is done
  if (damaged.length > 0) ctx.ui.warn(describeDamaged(damaged));
  const entries: RunEntry[] = [];
  let exit: number = EXIT.ok;
  for (const item of work) {
    // a long send may have taken a while: quiet hours and due slots are judged at the time each one starts
    const at = ctx.deps.clock.now();
    const waiting = quietWait(item, settings, transports, at);
    if (waiting !== undefined) {
      entries.push(waiting);
      verbose(ctx, options, `${waiting.schedule ?? waiting.campaign}: waits for quiet hours to end at ${localTime(new Date(waiting.until ?? ''), settings.timezone)}`);
      continue;
    }
    let entry: RunEntry;
    try {
      entry = await sending.ports.locks.withSendLock(sendLockRequest(sending, item.kind === 'continue' ? item.campaign.id : item.schedule.id), () => doWork(item, ctx, sending, at));
    } catch (error) {
      if (error instanceof CanaleError && error.code === 'SEND_BUSY') {
        // a person's send holds the lock: everything due waits for the next run
        entries.push({ action: 'busy', reason: error.message });
        ctx.ui.warn(`${error.message}; what is due waits for the next canale schedule run`);
        exit = EXIT.busy;
        break;
      }
      const message = error instanceof Error ? error.message : String(error);
      entry = { action: 'failed', ...(item.kind === 'continue' ? { campaign: item.campaign.id } : { schedule: item.schedule.id }), reason: message };
    }
    entries.push(entry);
    exit = worst(exit, exitOf(entry));
    reportEntry(ctx, options, entry, settings);
    if (entry.status === 'interrupted' && entry.reason === SIGNAL_STOP) {
      exit = EXIT.interrupted;
      break;
    }
  }
  if (entries.length === 0) verbose(ctx, options, 'nothing due');
  if (options.verbose) for (const line of await waitingCampaigns(sending.ports.campaigns, entries, settings.timezone)) ctx.ui.info(line);
  const next = await nextDue(sending);
  if (options.verbose && next !== undefined) ctx.ui.info(`next: ${localTime(new Date(next), settings.timezone)}`);
  if (options.json) ctx.ui.json({ at: now.toISOString(), entries, next: next ?? null, ...(damaged.length === 0 ? {} : { damaged }) });
  return exit;
}

function describeDamaged(damaged: readonly DamagedCampaign[]): string {
  const list = damaged.map((d) => `${d.id}: ${d.problem}`).join('; ');
  return `skipped ${damaged.length} damaged campaign folder(s): ${list} — everything else was seen to; see: canale doctor`;
}

/** The schedules and campaigns this run must see to, oldest work first. */
async function findWork(sending: Sending, now: Date): Promise<{ work: Work[]; damaged: DamagedCampaign[] }> {
  const { campaigns, locks, schedules } = sending.ports;
  const { campaigns: recorded, damaged } = await campaigns.scan();
  const live = await locks.withLiveStatus(recorded);
  const work: Work[] = [];
  live.forEach((campaign, i) => {
    const was = recorded[i] as Campaign;
    if (campaign.status === 'scheduled' && campaign.resumeAt !== undefined && Date.parse(campaign.resumeAt) <= now.getTime()) {
      work.push({ kind: 'continue', campaign, why: campaign.waitingFor === 'daily-limit' ? 'the WhatsApp daily tier freed up' : 'quiet hours are over' });
    } else if (campaign.schedule !== undefined && was.status === 'sending' && campaign.status === 'interrupted') {
      work.push({ kind: 'continue', campaign: was, why: 'its run stopped without finishing (killed or crashed)' });
    }
    // a send stopped on purpose (Ctrl-C, SIGTERM) or by a fatal error stays interrupted: a person resumes or cancels it
  });
  for (const schedule of await schedules.list()) {
    const last = schedule.runs.at(-1);
    if (last !== undefined && last.error === undefined && !(await campaigns.hasRecord(last.campaign))) {
      // a run claimed this slot and stopped before its campaign was written: make it now
      work.push({ kind: 'create', schedule, campaign: last.campaign, slot: last.slot });
    }
    if (dueAt(schedule, now).due) work.push({ kind: 'fire', schedule });
  }
  // a claimed slot's half-made folder (from before freezes were atomic) is made whole by this run, not skipped
  const making = new Set(work.flatMap((w) => (w.kind === 'create' ? [w.campaign] : [])));
  return { work, damaged: damaged.filter((d) => !making.has(d.id)) };
}

/** The channels a schedule's or campaign's messages reach citizens on (not those that go to the outbox). */
function channelsOf(item: Work, transports: Settings): readonly Channel[] {
  if (item.kind === 'continue') return delivering(item.campaign.channels, item.campaign.transports);
  const { send } = item.schedule;
  const nameOf = (c: Channel): string => {
    const frozen = item.schedule.transports?.[c];
    if (frozen !== undefined) return frozen;
    try {
      return transportFor(c, transports, send.via).name;
    } catch {
      return 'unconfigured'; // a real transport without its credentials: the send itself says so
    }
  };
  return channelsOfSchedule(item.schedule).filter((c) => nameOf(c) !== 'outbox');
}

/** A non-urgent send whose every channel is in its quiet hours waits until they end (DESIGN §7). */
function quietWait(item: Work, settings: PlanSettings, transports: Settings, now: Date): RunEntry | undefined {
  const urgent = item.kind === 'continue' ? item.campaign.urgent === true : item.schedule.send.urgent;
  if (urgent) return undefined;
  const channels = channelsOf(item, transports);
  const quiet = quietNow(settings, channels, now);
  if (channels.length === 0 || quiet.length < channels.length) return undefined;
  const until = new Date(Math.max(...quiet.map((q) => q.endsAt.getTime()))).toISOString();
  return { action: 'waiting', ...(item.kind === 'continue' ? { campaign: item.campaign.id } : { schedule: item.schedule.id }), until, reason: 'quiet-hours' };
}

/** Does one piece of work under the send lock. Checks again what it found: another run may have done it since. */
async function doWork(item: Work, ctx: Context, sending: Sending, now: Date): Promise<RunEntry> {
  const { campaigns } = sending.ports;
  if (item.kind === 'continue') {
    const campaign = await campaigns.load(item.campaign.id);
    if (campaign.status === 'completed' || campaign.status === 'cancelled') return { action: 'resumed', campaign: campaign.id, status: campaign.status };
    ctx.ui.info(`campaign ${campaign.id}: going on — ${item.why}`);
    const schedule = campaign.schedule === undefined ? undefined : (await sending.ports.schedules.list()).find((s) => s.id === campaign.schedule);
    // its own pace; a campaign made before canale kept it goes at its schedule's, as it did
    const fallback = { rates: ratesOf(planSettingsOf(sending.settings, sending.clock), schedule?.send.rate), concurrency: schedule?.send.concurrency ?? DEFAULT_CONCURRENCY };
    const paced = resumePace(campaign, {}, fallback);
    const pace = 'pace' in paced ? paced.pace : fallback;
    const result = await continueCampaign(campaign, { retryFailed: false, resendUnknown: false, pace }, sending);
    return entryOf('resumed', result, { ...(campaign.schedule === undefined ? {} : { schedule: campaign.schedule }) });
  }
  // credentials missing here fail the run before the slot is claimed: it stays due until a run finds them
  requireScheduleTransports(item.schedule, sending.settings, sending.home);
  if (item.kind === 'create') return sendSchedule(item.schedule, item.campaign as CampaignId, { slot: item.slot }, ctx, sending);
  // claim the slot before anything is frozen: a second run, or this one after a crash, finds it taken
  const claim = await sending.ports.schedules.update((schedules) => {
    const current = schedules.find((s) => s.id === item.schedule.id);
    const due = current === undefined ? undefined : dueAt(current, now);
    if (current === undefined || due === undefined || !due.due) return { schedules, result: undefined };
    const id = ctx.deps.ids.next('cmp_') as CampaignId;
    return { schedules: schedules.map((s) => (s === current ? fired(current, due, id, now) : s)), result: { id, slot: due.slot, missed: due.missed } };
  });
  if (claim === undefined) return { action: 'fired', schedule: item.schedule.id, status: 'already-sent' };
  if (claim.missed > 0) {
    ctx.ui.warn(`schedule ${item.schedule.id}: ${claim.missed} more slot(s) passed while canale schedule run was not running — sent once, for the slot of ${localTime(new Date(claim.slot), item.schedule.timezone)}`);
  }
  return sendSchedule(item.schedule, claim.id, { slot: claim.slot, missed: claim.missed }, ctx, sending);
}

/** Plans a schedule's send against the store as it is now, freezes it as campaign `id` and sends it. */
async function sendSchedule(schedule: Schedule, id: CampaignId, at: { readonly slot: string; readonly missed?: number }, ctx: Context, sending: Sending): Promise<RunEntry> {
  const { campaigns } = sending.ports;
  const base = { schedule: schedule.id, campaign: id, slot: at.slot, ...(at.missed === undefined || at.missed === 0 ? {} : { missed: at.missed }) };
  let result: CampaignResult;
  try {
    const prepared = await prepareSend(requestOfSchedule(schedule), sending);
    const outbox = Object.values(prepared.choices).flatMap((c) => (c?.warning === undefined ? [] : [c.warning]));
    for (const warning of [...outbox, ...prepared.warnings]) ctx.ui.warn(`schedule ${schedule.id}: ${warning}`);
    refuseIfBlocked(prepared);
    if (prepared.plan.recipients.total === 0) {
      await campaigns.create({ id, status: 'completed', message: schedule.message, query: schedule.query, channels: [], transports: {}, recipients: 0, plannedSkips: prepared.plan.skipped, schedule: schedule.id, createdAt: ctx.now(), finishedAt: ctx.now() }, []);
      return { action: 'fired', ...base, status: 'completed', reason: 'nobody to send to' };
    }
    ctx.ui.info(`schedule ${schedule.id}: sending to ${prepared.plan.recipients.total} recipient(s) as campaign ${id}`);
    result = await freezeAndSend(prepared, id, { schedule: schedule.id, concurrency: schedule.send.concurrency }, sending);
  } catch (error) {
    if (!(error instanceof CanaleError) || (await campaigns.hasRecord(id))) throw error;
    // the slot is spent: say why nothing was sent, once, rather than failing again every minute
    await sending.ports.schedules.update((schedules) => ({
      schedules: schedules.map((s) => (s.id === schedule.id ? { ...s, runs: s.runs.map((r) => (r.campaign === id ? { ...r, error: error.message } : r)) } : s)),
      result: undefined,
    }));
    return { action: 'failed', ...base, reason: error.message };
  }
  return entryOf('fired', result, base);
}

function entryOf(action: 'fired' | 'resumed', result: CampaignResult, base: Partial<RunEntry>): RunEntry {
  const { campaign, report, outcome } = result;
  return {
    action,
    ...base,
    campaign: campaign.id,
    status: campaign.status,
    counts: report.counts,
    ...(campaign.resumeAt === undefined || campaign.status !== 'scheduled' ? {} : { until: campaign.resumeAt, reason: campaign.waitingFor ?? 'quiet-hours' }),
    ...(outcome.status === 'stopped' ? { reason: outcome.reason } : outcome.status === 'interrupted' ? { reason: SIGNAL_STOP } : {}),
    ...(report.unknownAdvice === undefined ? {} : { unknownAdvice: report.unknownAdvice }),
  };
}

function exitOf(entry: RunEntry): number {
  if (entry.action === 'failed' || (entry.status === 'interrupted' && entry.reason !== SIGNAL_STOP)) return EXIT.failed;
  return (entry.counts?.failed ?? 0) > 0 || (entry.counts?.unknown ?? 0) > 0 ? EXIT.partial : EXIT.ok;
}

/** The more serious of two exit codes: failed over partial over ok. */
function worst(a: number, b: number): number {
  const rank = (code: number) => (code === EXIT.failed ? 2 : code === EXIT.partial ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

/** The earliest instant a schedule or a waiting campaign is due, for monitoring. */
async function nextDue(sending: Sending): Promise<string | undefined> {
  const times: number[] = [];
  for (const s of await sending.ports.schedules.list()) if (s.status === 'active' && s.next !== undefined) times.push(Date.parse(s.next));
  for (const c of await sending.ports.campaigns.list()) if (c.status === 'scheduled' && c.resumeAt !== undefined) times.push(Date.parse(c.resumeAt));
  return times.length === 0 ? undefined : new Date(Math.min(...times)).toISOString();
}
