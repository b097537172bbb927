import { basename, resolve } from 'node:path';
import { loadMessageFile } from '../../adapters/message/message-file.js';
import type { TransportChoice } from '../../adapters/transports/choose.js';
import { usageError } from '../../core/errors.js';
import { checkCron, nextSlot, shortestGap } from '../../core/schedule/recurrence.js';
import { channelsOfSchedule, type Schedule } from '../../core/schedule/schedule.js';
import { parseWhen } from '../../core/schedule/zoned-time.js';
import type { Channel } from '../../core/subscriber.js';
import { CHANNEL_NAME } from '../../core/channels.js';
import type { Context } from '../context.js';
import { planSettingsOf } from '../../sending/plan-settings.js';
import { namesOf, prepareSend, refuseIfBlocked, refuseUnknownWhere, transportFor, type PreparedSend } from '../../sending/prepare.js';
import { delivering, localTime, quietNow } from '../../sending/send-window.js';
import { parseCampaignSend, requestOf, type CampaignFlags } from '../campaign-options.js';
import { sendingOf } from '../sending-of.js';
import { printPlan } from '../send-printout.js';
import { viewOf } from './view.js';

/** Recurring sends more often than this are refused: a city's channel is not a chat. */
const MIN_GAP_MS = 60 * 60 * 1000;

export interface AddFlags extends CampaignFlags {
  at?: string;
  every?: string;
}

/** When a new schedule fires first, from --at or --every, read in the configured zone. */
function whenOf(flags: AddFlags, zone: string, now: Date): Pick<Schedule, 'at' | 'every' | 'next'> {
  if ((flags.at === undefined) === (flags.every === undefined)) {
    throw usageError('SCHEDULE_WHEN', 'say when: --at "YYYY-MM-DD HH:MM" (once) or --every "CRON" (recurring, e.g. "0 7 * * 1" = every Monday at 07:00)');
  }
  if (flags.at !== undefined) {
    const parsed = parseWhen(flags.at, zone);
    if (!parsed.ok) throw usageError('SCHEDULE_AT_INVALID', `--at: ${parsed.reason}`);
    if (parsed.instant.getTime() < now.getTime()) {
      throw usageError('SCHEDULE_AT_PAST', `--at ${flags.at} is in the past (it is ${localTime(now, zone)}): to send now use canale send`);
    }
    return { at: parsed.instant.toISOString(), next: parsed.instant.toISOString() };
  }
  const pattern = (flags.every ?? '').trim();
  const checked = checkCron(pattern, zone, now);
  if (!checked.ok) throw usageError('SCHEDULE_EVERY_INVALID', `--every: ${checked.reason}`);
  const gap = shortestGap(pattern, zone, now);
  if (gap !== undefined && gap < MIN_GAP_MS) {
    throw usageError('SCHEDULE_TOO_OFTEN', `--every "${pattern}" sends more often than once an hour: a broadcast goes to every subscriber each time — e.g. "0 7 * * 1" is every Monday at 07:00`);
  }
  const next = nextSlot(pattern, zone, now);
  if (next === undefined) throw usageError('SCHEDULE_EVERY_INVALID', `--every "${pattern}" never fires after now`);
  return { every: pattern, next: next.toISOString() };
}

/**
 * The transport of every channel the message can go on, as the plan chose it now: these are frozen in the schedule
 * and used when it fires. A channel nobody gets today, whose transport cannot be chosen now (a real one asked for in
 * config, without credentials), is left to be chosen when it fires.
 */
function transportsToFreeze(prepared: PreparedSend, query: Schedule['query'], via: PreparedSend['request']['via']): Partial<Record<Channel, TransportChoice>> {
  const choices: Partial<Record<Channel, TransportChoice>> = { ...prepared.choices };
  for (const channel of channelsOfSchedule({ message: { ...prepared.request.spec, channels: prepared.message.channels }, query })) {
    if (choices[channel] !== undefined) continue;
    try {
      choices[channel] = transportFor(channel, prepared.settings, via);
    } catch {
      // nobody gets this channel today; the run that first has recipients for it chooses, and names what is missing
    }
  }
  return choices;
}

/**
 * `canale schedule add FILE --at WHEN | --every CRON`: the message is checked now, against the store as it is, and
 * frozen with the transports the plan shows. `--dry-run` stops before the confirmation, with the exit code the real
 * command would have: 0 it would be added, 1 refused (blocked recipients, an unknown template…), 2 usage.
 */
export async function runScheduleAdd(file: string, flags: AddFlags, ctx: Context): Promise<void> {
  if (flags.text !== undefined || flags.subject !== undefined) throw usageError('SCHEDULE_MESSAGE_FILE', 'a schedule sends a message file (FILE): --text and --subject are for canale send');
  const options = parseCampaignSend({ ...flags, message: file });
  const sending = await sendingOf(ctx);
  const settings = planSettingsOf(sending.settings, sending.clock);
  const zone = settings.timezone;
  const now = ctx.deps.clock.now();
  const when = whenOf(flags, zone, now);
  const spec = await loadMessageFile(resolve(ctx.deps.cwd, file));
  const prepared = await prepareSend(requestOf(options, spec), sending);
  refuseUnknownWhere(prepared);
  const query: Schedule['query'] = { topics: prepared.message.topics, where: options.where, channel: options.channel };
  const frozen = transportsToFreeze(prepared, query, options.via);
  printPlan(ctx.ui, prepared.plan, frozen, prepared.warnings, false, options.urgent);
  refuseIfBlocked(prepared);
  const first = new Date(when.next ?? now.toISOString());
  if (prepared.plan.recipients.total === 0) ctx.ui.warn('nobody would get it today: it goes to whoever follows these topics when it fires');
  const channels = delivering(prepared.message.channels, namesOf(prepared.choices)).filter((c) => prepared.plan.recipients[c] > 0);
  const quiet = options.urgent ? [] : quietNow(settings, channels, first);
  if (quiet.length > 0 && quiet.length === channels.length && quiet[0] !== undefined) {
    ctx.ui.warn(`${localTime(first, zone)} is inside quiet hours: it will wait until they end (${localTime(quiet[0].endsAt, zone)}) — add --urgent if it cannot`);
  }
  const what = when.every === undefined ? `at ${localTime(first, zone)}` : `every "${when.every}" (${zone}), first ${localTime(first, zone)}`;
  const transports = Object.entries(namesOf(frozen)).map(([c, t]) => `${CHANNEL_NAME[c as Channel]} via ${t}`).join(', ');
  const question = `Schedule ${basename(file)} for ${options.topics.length > 0 ? options.topics.join(', ') : prepared.message.topics.join(', ')} ${what}${transports === '' ? '' : ` (${transports})`}?`;
  if (!options.dryRun) await ctx.confirm(question, 'canale schedule add … --yes');
  const schedule: Schedule = {
    id: options.dryRun ? 'sch_dry_run' : ctx.deps.ids.next('sch_'),
    status: 'active',
    message: spec,
    query,
    send: {
      ...(options.via === undefined ? {} : { via: options.via }),
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      concurrency: options.concurrency,
      urgent: options.urgent,
      split: options.split,
      allowFreeText: options.allowFreeText,
      ...(options.allowNoUnsubscribe ? { allowNoUnsubscribe: true } : {}),
    },
    transports: namesOf(frozen),
    ...when,
    timezone: zone,
    createdAt: now.toISOString(),
    runs: [],
  };
  if (options.dryRun) {
    if (options.json) ctx.ui.json({ ...viewOf(schedule), id: null, dryRun: true });
    else ctx.ui.info(`dry run: ${question.replace(/^Schedule/, 'would schedule').replace(/\?$/, '')} — nothing was stored`);
    return;
  }
  await sending.ports.schedules.update((schedules) => ({ schedules: [...schedules, schedule], result: undefined }));
  if (options.json) ctx.ui.json(viewOf(schedule));
  else ctx.ui.success(`scheduled ${schedule.id}: ${what} — canale schedule run sends it (see: canale schedule install --print)`);
}
