import { basename } from 'node:path';
import type { Command } from 'commander';
import { CanaleError, usageError } from '../../core/errors.js';
import { checkId } from '../../core/ids.js';
import type { Schedule } from '../../core/schedule/schedule.js';
import type { Channel } from '../../core/subscriber.js';
import { CHANNEL_NAME } from '../../core/channels.js';
import { printTable } from '../../ui/table.js';
import { collect, withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { localTime } from '../../sending/send-window.js';
import { runScheduleAdd, type AddFlags } from './add.js';
import { installLines } from './install.js';
import { runScheduleRun } from './run.js';
import { viewOf, whenText } from './view.js';

/** One schedule by id, or a clear error naming how to list them. */
export function findSchedule(schedules: readonly Schedule[], id: string): Schedule {
  const found = schedules.find((s) => s.id === id);
  if (found === undefined) throw new CanaleError('SCHEDULE_NOT_FOUND', `there is no schedule "${id}" — see them with: canale schedule list`);
  return found;
}

export async function runScheduleList(options: { readonly json: boolean; readonly all: boolean }, ctx: Context): Promise<void> {
  const schedules = (await (await ctx.ports()).schedules.list()).filter((s) => options.all || s.status === 'active');
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
  const s = findSchedule(await (await ctx.ports()).schedules.list(), id);
  if (options.json) {
    ctx.ui.json(viewOf(s));
    return;
  }
  ctx.ui.out(`${s.id}: ${s.status}`);
  ctx.ui.out(`message: ${s.message.source}${s.message.subject === undefined ? '' : ` — ${s.message.subject}`}${s.message.whatsapp === undefined ? '' : ` (template ${s.message.whatsapp.template})`}`);
  ctx.ui.out(`to: ${s.query.topics.join(', ')}${s.query.where.length > 0 ? ` where ${s.query.where.map((w) => `${w.key}=${w.value}`).join(', ')}` : ''}, channel ${s.query.channel}`);
  ctx.ui.out(`when: ${whenText(s)}${s.every === undefined ? '' : ` (${s.timezone})`}`);
  if (s.next !== undefined) ctx.ui.out(`next: ${localTime(new Date(s.next), s.timezone)}`);
  const via = Object.entries(s.transports ?? {}).map(([c, t]) => `${CHANNEL_NAME[c as Channel]} via ${t}`);
  const flags = [s.send.urgent ? 'urgent' : '', s.send.split ? 'split by the daily tier' : '', ...(s.transports === undefined && s.send.via !== undefined ? [`via ${s.send.via}`] : via)].filter((f) => f !== '');
  if (flags.length > 0) ctx.ui.out(`send: ${flags.join(', ')}`);
  for (const run of s.runs) {
    const missed = run.missed === undefined ? '' : ` (${run.missed} more slot(s) missed)`;
    ctx.ui.out(`run: ${localTime(new Date(run.slot), s.timezone)} → ${run.error === undefined ? `campaign ${run.campaign}` : `not sent: ${run.error}`}${missed}`);
  }
}

/** Cancels a schedule: it fires no more. A campaign it already made goes on unless cancelled itself. */
export async function runScheduleCancel(id: string, ctx: Context): Promise<void> {
  const ports = await ctx.ports();
  const now = ctx.now();
  const cancelled = await ports.schedules.update((schedules) => {
    const s = findSchedule(schedules, id);
    if (s.status !== 'active') throw new CanaleError('SCHEDULE_FINISHED', `schedule ${id} is already ${s.status}; there is nothing to cancel`);
    const { next: _next, ...rest } = s;
    const changed: Schedule = { ...rest, status: 'cancelled', cancelledAt: now };
    return { schedules: schedules.map((x) => (x === s ? changed : x)), result: changed };
  });
  ctx.ui.success(`cancelled ${cancelled.id}: it will not fire again`);
  const open = (await ports.campaigns.list()).filter((c) => c.schedule === id && (c.status === 'scheduled' || c.status === 'sending' || c.status === 'interrupted'));
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
      .option('--allow-no-unsubscribe', 'send e-mail without an unsubscribe link when publicUrl or unsubscribeSecret is not set (kept with the schedule)')
      .option('--dry-run', 'show the plan and what would be scheduled, store nothing; exits as the real command would')
      .option('--json', 'print the schedule as JSON'),
    [
      'canale schedule add lavori.md --topic cantieri --at "2027-03-01 08:30"',
      'canale schedule add raccolta.md --topic raccolta-differenziata --where municipio=III --every "0 9 * * 1"',
      'canale schedule add allerta.md --topic emergenze --at 2027-03-01T06:00:00Z --urgent --yes --json',
      'canale schedule add raccolta.md --topic raccolta-differenziata --every "0 9 * * 1" --via cloud-api --dry-run',
    ],
  ).action(app.action(async (file: string, flags: AddFlags, ctx: Context) => runScheduleAdd(file, flags, ctx)));
  withExamples(
    schedule.command('list').description('the active schedules, with their next time').option('--all', 'also those done or cancelled').option('--json', 'print JSON'),
    ['canale schedule list', 'canale schedule list --all --json'],
  ).action(app.action(async (flags: { json?: boolean; all?: boolean }, ctx: Context) => runScheduleList({ json: flags.json === true, all: flags.all === true }, ctx)));
  withExamples(schedule.command('show').argument('<id>', 'schedule id').description('a schedule: message, audience, times and the campaigns it made').option('--json', 'print JSON'), [
    'canale schedule show sch_7k3m9q2xaa',
  ]).action(app.action(async (id: string, flags: { json?: boolean }, ctx: Context) => runScheduleShow(checkId('schedule', id, 'schedule show ID'), { json: flags.json === true }, ctx)));
  withExamples(schedule.command('cancel').argument('<id>', 'schedule id').description('stop a schedule from firing again'), ['canale schedule cancel sch_7k3m9q2xaa']).action(
    app.action(async (id: string, _flags: unknown, ctx: Context) => runScheduleCancel(checkId('schedule', id, 'schedule cancel ID'), ctx)),
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
