import { canaleCommand } from '../core/shell-quote.js';
import { chooseTransport } from '../adapters/transports/choose.js';
import type { CompiledMessage } from '../core/message/compile.js';
import type { SendPlan } from '../core/plan.js';
import { quietEntry } from '../core/schedule/quiet-hours.js';
import { formatLocal } from '../core/schedule/zoned-time.js';
import { CHANNELS, type Channel } from '../core/subscriber.js';
import type { Settings } from '../core/settings.js';
import { delivering, quietConflict, quietEnd } from './send-window.js';
import { unsubscribeVerdict } from './unsubscribe-check.js';
import type { PlanSettings } from './plan-settings.js';

/** What `canale send --message FILE` would meet if it were run now, beyond the message itself. */
export interface SendCheck {
  /** Why the send would be refused now, each with what to do; empty when it would go. */
  readonly blockers: readonly string[];
  /** Quiet hours a send now would break (in force now, or run into), with when they end: also one of the blockers. */
  readonly quiet?: string;
  /** The transport each channel with recipients would use, as `send` chooses it without --via. */
  readonly transports: Readonly<Partial<Record<Channel, string>>>;
}

/**
 * Checks a planned message the way `send` would now: recipients it cannot be rendered for, a transport that cannot
 * be chosen, free text through the Cloud API (refused without --allow-free-text), e-mail to citizens with no
 * unsubscribe link (refused without --allow-no-unsubscribe) or an http one, and quiet hours — those in force
 * now, or that the send would run into by its estimated length — on the channels that reach citizens.
 */
export function checkSendNow(
  resolvedSettings: Settings,
  now: Date,
  file: string,
  plan: SendPlan,
  message: CompiledMessage,
  settings: PlanSettings,
): SendCheck {
  const blockers: string[] = [];
  if (plan.blocked.length > 0) {
    blockers.push(`${plan.blocked.reduce((n, b) => n + b.count, 0)} recipient(s) cannot get this message as it is (see the warnings above) — add a default ({{nome | "…"}}) or fix their data`);
  }
  const resolved = resolvedSettings;
  const transports: Partial<Record<Channel, string>> = {};
  for (const channel of CHANNELS) {
    if (plan.recipients[channel] === 0) continue;
    try {
      transports[channel] = chooseTransport(channel, resolved).name;
    } catch (error) {
      blockers.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (message.spec.whatsapp === undefined && transports.whatsapp === 'cloud-api') {
    blockers.push('free text through the Cloud API reaches only citizens who wrote in the last 24 hours, so send refuses it without --allow-free-text — use an approved template (whatsapp.template) to reach everyone');
  }
  const unsubscribe = unsubscribeVerdict(settings, plan.recipients.email, transports.email, false);
  if (unsubscribe !== undefined && 'refuse' in unsubscribe) blockers.push(unsubscribe.refuse.replace(/; nothing was sent$/, ''));
  const reaching = delivering(CHANNELS, transports);
  const seconds: Partial<Record<Channel, number>> = {};
  for (const channel of reaching) seconds[channel] = plan.recipients[channel] / Math.max(plan.rates[channel], 0.001);
  const conflict = quietConflict(settings, seconds, now);
  if (conflict === undefined) return { blockers, transports };
  const end = quietEndOf(settings, seconds, now);
  const at = end === undefined ? 'YYYY-MM-DD HH:MM' : formatLocal(end, settings.timezone);
  const quiet = `quiet hours: ${conflict} — a send now is refused; schedule it for then (${canaleCommand('schedule', 'add', file, '--at', at)}), or send with --urgent if it cannot wait`;
  return { blockers: [...blockers, quiet], quiet, transports };
}

/** When the quiet hours a send started now would meet end: the first channel's, as quietConflict reports it. */
function quietEndOf(settings: PlanSettings, seconds: Readonly<Partial<Record<Channel, number>>>, now: Date): Date | undefined {
  for (const [channel, length] of Object.entries(seconds) as Array<[Channel, number]>) {
    const hours = settings.quietHours[channel];
    if (hours === undefined || length <= 0) continue;
    const entry = quietEntry(hours, settings.timezone, now, new Date(now.getTime() + length * 1000));
    if (entry !== undefined) return quietEnd(settings, channel, entry);
  }
  return undefined;
}

