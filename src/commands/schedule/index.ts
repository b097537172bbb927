import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { listCampaigns } from '../../adapters/campaign/campaign-store.js';
import { loadMessageFile } from '../../adapters/message/message-file.js';
import { findSchedule, readSchedules, updateSchedules } from '../../adapters/schedule/schedule-store.js';
import { CanaleError, usageError } from '../../core/errors.js';
import { checkCron, nextSlot, shortestGap } from '../../core/schedule/recurrence.js';
import type { Schedule } from '../../core/schedule/schedule.js';
import { parseWhen } from '../../core/schedule/zoned-time.js';
import { printTable } from '../../ui/table.js';
import { collect, withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { readPlanSettings } from '../preview/plan-settings.js';
import { namesOf, prepareSend, refuseIfBlocked, refuseUnknownWhere, requestOf } from '../send/prepare.js';
import { parseCampaignSend, type CampaignFlags } from '../send/campaign-options.js';
import { printPlan } from '../send/print.js';
import { delivering, localTime, quietNow } from '../send/send-window.js';
import { installLines } from './install.js';
import { runScheduleRun } from './run.js';

/** Recurring sends more often than this are refused: a city's channel is not a chat. */
const MIN_GAP_MS = 60 * 60 * 1000;

interface AddFlags extends CampaignFlags {
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

/** `canale schedule add FILE --at WHEN | --every CRON`: the message is checked now, against the store as it is. */
export async function runScheduleAdd(file: string, flags: AddFlags, ctx: Context): Promise<void> {
  if (flags.text !== undefined || flags.subject !== undefined) throw usageError('SCHEDULE_MESSAGE_FILE', 'a schedule sends a message file (FILE): --text and --subject are for canale send');
  if (flags.dryRun === true) throw usageError('SCHEDULE_DRY_RUN', 'to see what a schedule would send, use: canale send … --dry-run (or canale preview FILE)');
  const options = parseCampaignSend({ ...flags, message: file });
  const settings = await readPlanSettings(ctx);
  const zone = settings.timezone;
  const now = ctx.deps.clock.now();
  const when = whenOf(flags, zone, now);
  const spec = await loadMessageFile(resolve(ctx.deps.cwd, file));
  const prepared = await prepareSend(requestOf(options, spec), ctx);
  refuseUnknownWhere(prepared);
  printPlan(ctx, prepared.plan, prepared.choices, prepared.warnings, false, options.urgent);
  refuseIfBlocked(prepared);
  const first = new Date(when.next ?? now.toISOString());
  if (prepared.plan.recipients.total === 0) ctx.ui.warn('nobody would get it today: it goes to whoever follows these topics when it fires');
  const channels = delivering(prepared.message.channels, namesOf(prepared.choices)).filter((c) => prepared.plan.recipients[c] > 0);
  const quiet = options.urgent ? [] : quietNow(settings, channels, first);
  if (quiet.length > 0 && quiet.length === channels.length && quiet[0] !== undefined) {
    ctx.ui.warn(`${localTime(first, zone)} is inside quiet hours: it will wait until they end (${localTime(quiet[0].endsAt, zone)}) — add --urgent if it cannot`);
  }
  const what = when.every === undefined ? `at ${localTime(first, zone)}` : `every "${when.every}" (${zone}), first ${localTime(first, zone)}`;
  await ctx.confirm(`Schedule ${basename(file)} for ${options.topics.length > 0 ? options.topics.join(', ') : prepared.message.topics.join(', ')} ${what}?`, 'canale schedule add … --yes');
  const schedule: Schedule = {
    id: ctx.deps.ids.next('sch_'),
    status: 'active',
    message: spec,
    query: { topics: prepared.message.topics, where: options.where, channel: options.channel },
    send: {
      ...(options.via === undefined ? {} : { via: options.via }),
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      concurrency: options.concurrency,
      urgent: options.urgent,
      split: options.split,
      allowFreeText: options.allowFreeText,
    },
    ...when,
    timezone: zone,
    createdAt: now.toISOString(),
    runs: [],
  };
  await updateSchedules(ctx.paths.home, (schedules) => ({ schedules: [...schedules, schedule], result: undefined }));
  if (options.json) ctx.ui.json(viewOf(schedule));
  else ctx.ui.success(`scheduled ${schedule.id}: ${what} — canale schedule run sends it (see: canale schedule install --print)`);
}

/** A schedule as `--json` shows it: times in UTC, the zone they are read in, and the latest runs. */
function viewOf(s: Schedule): Record<string, unknown> {
  return {
    id: s.id,
    status: s.status,
    message: s.message.source,
    topics: s.query.topics,
    where: s.query.where,
    channel: s.query.channel,
    ...(s.at === undefined ? {} : { at: s.at }),
    ...(s.every === undefined ? {} : { every: s.every }),
    timezone: s.timezone,
    next: s.next ?? null,
    urgent: s.send.urgent,
    split: s.send.split,
    createdAt: s.createdAt,
    ...(s.cancelledAt === undefined ? {} : { cancelledAt: s.cancelledAt }),
    runs: s.runs,
  };
}

function whenText(s: Schedule): string {
  return s.every === undefined ? `once, ${localTime(new Date(s.at ?? s.createdAt), s.timezone)}` : `every "${s.every}"`;
}

export async function runScheduleList(options: { readonly json: boolean; readonly all: boolean }, ctx: Context): Promise<void> {
  await ctx.prepareHome();
  const schedules = (await readSchedules(ctx.paths.home)).filter((s) => options.all || s.status === 'active');
  if (options.json) {
    ctx.ui.json(schedules.map(viewOf));
    return;
  }
  printTable(
    ctx.ui,
    ['ID', 'STATUS', 'WHEN', 'NEXT', 'TOPICS', 'MESSAGE', 'LAST'],
    schedules.map((s) => [
      s.id,
      s.status,
      whenText(s),
      s.next === undefined ? '-' : localTime(new Date(s.next), s.timezone),
      s.query.topics.join(','),
      basename(s.message.source),
      s.runs.at(-1)?.campaign ?? '-',
    ]),
  );
  if (schedules.length === 0) ctx.ui.info(`no ${options.all ? '' : 'active '}schedules — add one with: canale schedule add FILE --topic T --at "YYYY-MM-DD HH:MM"`);
}

export async function runScheduleShow(id: string, options: { readonly json: boolean }, ctx: Context): Promise<void> {
  await ctx.prepareHome();
  const s = findSchedule(await readSchedules(ctx.paths.home), id);
  if (options.json) {
    ctx.ui.json(viewOf(s));
    return;
  }
  ctx.ui.out(`${s.id}: ${s.status}`);
  ctx.ui.out(`message: ${s.message.source}${s.message.subject === undefined ? '' : ` — ${s.message.subject}`}${s.message.whatsapp === undefined ? '' : ` (template ${s.message.whatsapp.template})`}`);
  ctx.ui.out(`to: ${s.query.topics.join(', ')}${s.query.where.length > 0 ? ` where ${s.query.where.map((w) => `${w.key}=${w.value}`).join(', ')}` : ''}, channel ${s.query.channel}`);
  ctx.ui.out(`when: ${whenText(s)}${s.every === undefined ? '' : ` (${s.timezone})`}`);
  if (s.next !== undefined) ctx.ui.out(`next: ${localTime(new Date(s.next), s.timezone)}`);
  const flags = [s.send.urgent ? 'urgent' : '', s.send.split ? 'split by the daily tier' : '', s.send.via === undefined ? '' : `via ${s.send.via}`].filter((f) => f !== '');
  if (flags.length > 0) ctx.ui.out(`send: ${flags.join(', ')}`);
  for (const run of s.runs) {
    const missed = run.missed === undefined ? '' : ` (${run.missed} more slot(s) missed)`;
    ctx.ui.out(`run: ${localTime(new Date(run.slot), s.timezone)} → ${run.error === undefined ? `campaign ${run.campaign}` : `not sent: ${run.error}`}${missed}`);
  }
}

/** Cancels a schedule: it fires no more. A campaign it already made goes on unless cancelled itself. */
export async function runScheduleCancel(id: string, ctx: Context): Promise<void> {
  await ctx.prepareHome();
  const now = ctx.now();
  const cancelled = await updateSchedules(ctx.paths.home, (schedules) => {
    const s = findSchedule(schedules, id);
    if (s.status !== 'active') throw new CanaleError('SCHEDULE_FINISHED', `schedule ${id} is already ${s.status}; there is nothing to cancel`);
    const { next: _next, ...rest } = s;
    const changed: Schedule = { ...rest, status: 'cancelled', cancelledAt: now };
    return { schedules: schedules.map((x) => (x === s ? changed : x)), result: changed };
  });
  ctx.ui.success(`cancelled ${cancelled.id}: it will not fire again`);
  const open = (await listCampaigns(ctx.paths.home)).filter((c) => c.schedule === id && (c.status === 'scheduled' || c.status === 'sending' || c.status === 'interrupted'));
  for (const c of open) ctx.ui.warn(`campaign ${c.id} from this schedule is ${c.status}: cancel it too with canale campaigns cancel ${c.id}`);
}

export function registerSchedule(program: Command, app: App): void {
  const schedule = withExamples(program.command('schedule').description('planned and recurring sends, run by cron or a systemd timer'), [
    'canale schedule add lavori.md --topic cantieri --at "2027-03-01 08:30"',
    'canale schedule list',
    'canale schedule run',
  ]);
  withExamples(
    schedule
      .command('add')
      .argument('<file>', 'the message file (checked now; later edits of the file change nothing)')
      .description('plan a send: once (--at) or recurring (--every), in the configured time zone')
      .option('--at <when>', 'once, at "YYYY-MM-DD HH:MM" in the time zone (or ISO 8601 with an offset)')
      .option('--every <cron>', 'recurring, on a cron pattern: "0 7 * * 1" = every Monday at 07:00')
      .option('--topic <topic>', 'send to the subscribers of this topic (repeatable; also a,b)', collect)
      .option('--where <key=value>', 'only subscribers whose field or attribute has this value (repeatable)', collect)
      .option('--channel <channel>', 'preferred (each subscriber\'s own, the default), all, whatsapp or email')
      .option('--via <transport>', 'cloud-api, smtp or outbox')
      .option('--rate <n>', 'messages per second per channel (default: whatsapp.rate, email.rate)')
      .option('--concurrency <n>', 'requests in flight at once per channel (default 20)')
      .option('--urgent', 'quiet hours do not apply (emergencies); opt-outs do')
      .option('--split', 'send what the WhatsApp daily tier allows, the rest when it frees up')
      .option('--allow-free-text', 'allow a message without a WhatsApp template through the Cloud API')
      .option('--json', 'print the schedule as JSON'),
    [
      'canale schedule add lavori.md --topic cantieri --at "2027-03-01 08:30"',
      'canale schedule add raccolta.md --topic raccolta-differenziata --where municipio=III --every "0 9 * * 1"',
      'canale schedule add allerta.md --topic emergenze --at 2027-03-01T06:00:00Z --urgent --yes --json',
    ],
  ).action(app.action(async (file: string, flags: AddFlags, ctx: Context) => runScheduleAdd(file, flags, ctx)));
  withExamples(
    schedule.command('list').description('the active schedules, with their next time').option('--all', 'also those done or cancelled').option('--json', 'print JSON'),
    ['canale schedule list', 'canale schedule list --all --json'],
  ).action(app.action(async (flags: { json?: boolean; all?: boolean }, ctx: Context) => runScheduleList({ json: flags.json === true, all: flags.all === true }, ctx)));
  withExamples(schedule.command('show').argument('<id>', 'schedule id').description('a schedule: message, audience, times and the campaigns it made').option('--json', 'print JSON'), [
    'canale schedule show sch_7k3m9q2xaa',
  ]).action(app.action(async (id: string, flags: { json?: boolean }, ctx: Context) => runScheduleShow(id, { json: flags.json === true }, ctx)));
  withExamples(schedule.command('cancel').argument('<id>', 'schedule id').description('stop a schedule from firing again'), ['canale schedule cancel sch_7k3m9q2xaa']).action(
    app.action(async (id: string, _flags: unknown, ctx: Context) => runScheduleCancel(id, ctx)),
  );
  withExamples(
    schedule
      .command('run')
      .description('for cron, once a minute: send what is due exactly once, go on with waiting or crashed sends; never asks')
      .option('--json', 'print what it did as JSON')
      .option('--verbose', 'say so when nothing is due, and what waits'),
    ['canale schedule run', 'canale schedule run --json', 'canale schedule run --verbose'],
  ).action(app.action(async (flags: { json?: boolean; verbose?: boolean }, ctx: Context) => runScheduleRun({ json: flags.json === true, verbose: flags.verbose === true }, ctx)));
  withExamples(
    schedule.command('install').description('print a crontab line and a systemd service + timer that run canale schedule run each minute').option('--print', 'print them (canale changes no system file)'),
    ['canale schedule install --print', 'canale --home /srv/canale schedule install --print'],
  ).action(
    app.action(async (flags: { print?: boolean }, ctx: Context) => {
      if (flags.print !== true) throw usageError('SCHEDULE_INSTALL_PRINT', 'canale does not edit crontabs or systemd units itself: run canale schedule install --print and install what it prints');
      ctx.ui.out(installLines(ctx));
    }),
  );
}
