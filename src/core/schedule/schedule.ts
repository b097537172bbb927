import type { Campaign } from '../campaign.js';
import type { MessageSpec } from '../message/message-spec.js';
import { isChannel, type Channel } from '../subscriber.js';
import type { TransportName } from '../transport.js';
import { slotsAt } from './recurrence.js';

export type ScheduleStatus = 'active' | 'done' | 'cancelled';

/** One time a schedule fired: its slot, the campaign it made, and the slots it missed while canale was not run. */
export interface ScheduleRun {
  readonly slot: string;
  readonly campaign: string;
  readonly firedAt: string;
  readonly missed?: number;
  /** Why no campaign was sent for this slot (the message no longer fits the store, say): not tried again. */
  readonly error?: string;
}

/**
 * A planned send (DESIGN §5): the message as checked when the schedule was added (frozen: editing the file later
 * changes nothing), who gets it, how it is sent, and when — once (`at`) or on a cron pattern (`every`) read in
 * `timezone`. `next` is the slot it waits for, in UTC; a done or cancelled schedule has none.
 */
export interface Schedule {
  readonly id: string;
  readonly status: ScheduleStatus;
  readonly message: MessageSpec;
  readonly query: Campaign['query'];
  readonly send: {
    readonly via?: TransportName;
    readonly rate?: number;
    readonly concurrency: number;
    readonly urgent: boolean;
    readonly split: boolean;
    readonly allowFreeText: boolean;
    /** E-mail without an unsubscribe link was allowed when it was added (`--allow-no-unsubscribe`); absent: no. */
    readonly allowNoUnsubscribe?: boolean;
  };
  /**
   * The transport of each channel the message can go on, as the plan chose it when the schedule was added. It is
   * the one used when it fires — missing credentials then fail the run, never fall back to the outbox. Absent in
   * schedules added before canale froze them: those choose when they fire.
   */
  readonly transports?: Readonly<Partial<Record<Channel, TransportName>>>;
  readonly at?: string;
  readonly every?: string;
  readonly timezone: string;
  readonly next?: string;
  readonly createdAt: string;
  readonly cancelledAt?: string;
  /** The latest runs, newest last (at most RUNS_KEPT). */
  readonly runs: readonly ScheduleRun[];
}

/** Runs kept in a schedule's record; each campaign keeps its own full record anyway. */
export const RUNS_KEPT = 50;

/** Whether a schedule is due at `now`, and what firing it now means for it. */
export type Due =
  | { readonly due: false }
  | { readonly due: true; readonly slot: string; readonly missed: number; readonly after: Pick<Schedule, 'status' | 'next'> };

/**
 * Due-ness at `now`: a one-shot schedule is due from its time and is then done; a recurring one is due from its
 * next slot, and moves to the first slot after now — a machine that was off for several slots sends once, and
 * `missed` says how many more slots passed.
 */
export function dueAt(schedule: Schedule, now: Date): Due {
  if (schedule.status !== 'active' || schedule.next === undefined) return { due: false };
  const next = new Date(schedule.next);
  if (next.getTime() > now.getTime()) return { due: false };
  if (schedule.every === undefined) return { due: true, slot: schedule.next, missed: 0, after: { status: 'done' } };
  const slots = slotsAt(schedule.every, schedule.timezone, next, now);
  if (!slots.due) return { due: false };
  const following = slots.following;
  return { due: true, slot: schedule.next, missed: slots.missed, after: following === undefined ? { status: 'done' } : { status: 'active', next: following.toISOString() } };
}

/** The schedule after firing at `now` as campaign `campaign`. */
export function fired(schedule: Schedule, due: Extract<Due, { due: true }>, campaign: string, now: Date): Schedule {
  const run: ScheduleRun = { slot: due.slot, campaign, firedAt: now.toISOString(), ...(due.missed > 0 ? { missed: due.missed } : {}) };
  const { next: _next, ...rest } = schedule;
  return { ...rest, ...due.after, runs: [...schedule.runs, run].slice(-RUNS_KEPT) };
}

/** The channels a schedule's message can go on: the message's own, narrowed by `--channel whatsapp|email`. */
export function channelsOfSchedule(schedule: Pick<Schedule, 'message' | 'query'>): readonly Channel[] {
  const ofMessage = schedule.message.channels ?? ['whatsapp', 'email'];
  const only = schedule.query.channel;
  return isChannel(only) ? ofMessage.filter((c) => c === only) : ofMessage;
}
