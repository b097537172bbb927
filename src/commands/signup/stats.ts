import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { SignupStatsCounter, type SignupStats } from '../../core/signup/signup-stats.js';
import { printTable } from '../../ui/table.js';
import { withExamples, type App } from '../app.js';
import type { Context } from '../context.js';

const DAY_MS = 86_400_000;

export interface SignupStatsOptions {
  readonly days: number;
  readonly json: boolean;
}

export function parseSignupStats(raw: { days?: string; json?: boolean }): SignupStatsOptions {
  const days = Number(raw.days ?? 30);
  if (!Number.isInteger(days) || days < 1 || days > 3660) throw usageError('DAYS_INVALID', `--days ${raw.days ?? ''}: expected a whole number of days from 1 to 3660`);
  return { days, json: raw.json === true };
}

/** Sign-ups per day (UTC) and source, web confirmations and expiries, and opt-outs per topic, over the last `days`. */
export async function signupStats(options: SignupStatsOptions, ctx: Context): Promise<SignupStats> {
  const { signups, subscribers } = await ctx.ports();
  const since = new Date(ctx.deps.clock.now().getTime() - (options.days - 1) * DAY_MS).toISOString().slice(0, 10);
  const counter = new SignupStatsCounter(since);
  const book = await signups.read();
  counter.book(book.days);
  await subscribers.scan(undefined, (s) => counter.add(s));
  const now = ctx.now();
  return counter.result(book.pending.filter((p) => p.expiresAt > now).length);
}

export async function runSignupStats(options: SignupStatsOptions, ctx: Context): Promise<void> {
  const stats = await signupStats(options, ctx);
  if (options.json) {
    ctx.ui.json(stats);
    return;
  }
  const topics = await (await ctx.ports()).subscribers.topics();
  ctx.ui.info(`sign-ups since ${stats.since} (days in UTC); web = the sign-up page, whatsapp = ISCRIVI or a tap on WhatsApp, staff = added or imported`);
  printTable(ctx.ui, ['DAY', 'SOURCE', 'REQUESTED', 'CONFIRMED', 'EXPIRED', 'SUBSCRIBED'], stats.days.map((d) => {
    const web = d.source.startsWith('web:');
    return [d.day, d.source, web ? String(d.requested) : '-', web ? String(d.confirmed) : '-', web ? String(d.expired) : '-', String(d.subscribed)];
  }));
  ctx.ui.out('');
  printTable(ctx.ui, ['OPTED OUT OF', 'COUNT'], stats.optOuts.map((o) => [o.topic === null ? 'everything' : (topics.find((t) => t.id === o.topic)?.label ?? o.topic), String(o.count)]));
  ctx.ui.info(`${stats.pending} web sign-up(s) waiting for their confirmation — see: canale subscribers list --status pending`);
}

export function registerSignupStats(signup: Command, app: App): void {
  withExamples(
    signup
      .command('stats')
      .description('sign-ups per day and source, web confirmations and expiries, opt-outs per topic')
      .option('--days <n>', 'how many days back, today included (default 30)')
      .option('--json', 'print JSON: since, days[], optOuts[], pending'),
    ['canale signup stats', 'canale signup stats --days 7', 'canale signup stats --json'],
  ).action(app.action(async (raw: Parameters<typeof parseSignupStats>[0], ctx: Context) => runSignupStats(parseSignupStats(raw), ctx)));
}
