import type { Context } from '../context.js';

/** How late a due schedule may be before `doctor` asks whether `schedule run` runs at all (quiet hours aside). */
const LATE_MS = 10 * 60_000;

/**
 * For `canale doctor`: the schedules and waiting campaigns, and whether something has been due for a while without
 * a `schedule run` to send it — cron or the timer is not installed, or fails. Undefined when there is nothing planned.
 */
export async function scheduleHealth(ctx: Context): Promise<{ readonly ok: boolean | 'warn'; readonly detail: string } | undefined> {
  const ports = await ctx.ports();
  const now = ctx.deps.clock.now().getTime();
  const active = (await ports.schedules.list()).filter((s) => s.status === 'active');
  const waiting = (await ports.campaigns.list()).filter((c) => c.status === 'scheduled');
  if (active.length === 0 && waiting.length === 0) return undefined;
  const late = [
    ...active.filter((s) => s.next !== undefined && now - Date.parse(s.next) > LATE_MS).map((s) => `schedule ${s.id} (due ${s.next})`),
    ...waiting.filter((c) => c.resumeAt !== undefined && now - Date.parse(c.resumeAt) > LATE_MS).map((c) => `campaign ${c.id} (due ${c.resumeAt})`),
  ];
  const summary = `${active.length} active schedule(s), ${waiting.length} campaign(s) waiting`;
  if (late.length === 0) return { ok: true, detail: summary };
  return {
    ok: 'warn',
    detail: `${summary}; overdue: ${late.join(', ')} — unless quiet hours hold them, canale schedule run is not running: see canale schedule install --print`,
  };
}
