import type { CampaignStore } from '../../core/ports.js';
import type { PlanSettings } from '../../sending/plan-settings.js';
import { localTime } from '../../sending/send-window.js';
import type { Context } from '../context.js';
import type { RunEntry, ScheduleRunOptions } from './run.js';

/** What `schedule run` says: a line per thing done on stdout (what cron mails), more with --verbose on stderr. */

/** A line for people, only with --verbose. */
export function verbose(ctx: Context, options: ScheduleRunOptions, line: string): void {
  if (options.verbose) ctx.ui.info(line);
}

/** One line per thing done, on stdout: what cron mails and a person reads. */
export function reportEntry(ctx: Context, options: ScheduleRunOptions, entry: RunEntry, settings: PlanSettings): void {
  if (options.json) return;
  const who = entry.schedule === undefined ? `campaign ${entry.campaign}` : `schedule ${entry.schedule}${entry.campaign === undefined ? '' : ` → campaign ${entry.campaign}`}`;
  if (entry.action === 'failed') {
    ctx.ui.warn(entry.reason?.startsWith(`${who} `) === true ? `not sent: ${entry.reason}` : `${who}: not sent: ${entry.reason}`);
    return;
  }
  if (entry.status === 'already-sent') return verbose(ctx, options, `${who}: already sent by another run`);
  const unknown = entry.counts === undefined || entry.counts.unknown === 0 ? '' : `, ${entry.counts.unknown} unknown`;
  const counts = entry.counts === undefined ? '' : `: ${entry.counts.sent} sent, ${entry.counts.failed} failed, ${entry.counts.skipped} skipped${unknown}`;
  const waits = entry.until === undefined ? '' : ` — waits until ${localTime(new Date(entry.until), settings.timezone)} (${entry.reason === 'daily-limit' ? 'WhatsApp daily tier' : 'quiet hours'}), then the next run goes on`;
  const stopped = entry.status === 'interrupted' && entry.reason !== undefined ? ` — ${entry.reason}; resume with: canale send --resume ${entry.campaign}` : '';
  ctx.ui.out(`${entry.action} ${who}: ${entry.status}${counts}${waits}${stopped}`);
  if (entry.unknownAdvice !== undefined) ctx.ui.out(`  unknown: ${entry.unknownAdvice}`);
}

/** For --verbose: each campaign that waits to go on by itself — why and until when, in local time — but those this run just said. */
export async function waitingCampaigns(campaigns: CampaignStore, entries: readonly RunEntry[], zone: string): Promise<string[]> {
  const said = new Set(entries.filter((e) => e.action === 'waiting').map((e) => e.campaign));
  return (await campaigns.list())
    .filter((c) => c.status === 'scheduled' && c.resumeAt !== undefined && !said.has(c.id))
    .map((c) => {
      const why = c.waitingFor === 'daily-limit' ? 'for the WhatsApp daily tier to free up' : 'for quiet hours to end';
      const from = c.schedule === undefined ? '' : ` (schedule ${c.schedule})`;
      return `waiting: campaign ${c.id}${from} ${why}, until ${localTime(new Date(c.resumeAt ?? ''), zone)}`;
    });
}
