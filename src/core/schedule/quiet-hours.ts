import type { LocalTime } from './zoned-time.js';
import { localTimeOf, shiftDays, whenClockReaches } from './zoned-time.js';

/** A time of day on the local wall clock. */
interface ClockTime {
  readonly hour: number;
  readonly minute: number;
}

/** Quiet hours of a channel: from `start` to `end`, local wall-clock, possibly across midnight (21:00–08:00). */
export interface QuietHours {
  readonly start: ClockTime;
  readonly end: ClockTime;
}

const QUIET_HOURS = /^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$/;
const EXPECTED = 'expected HH:MM-HH:MM such as 21:00-08:00, or off';

function clockTime(hour: string, minute: string): ClockTime | undefined {
  const h = Number(hour);
  const m = Number(minute);
  return h <= 23 && m <= 59 ? { hour: h, minute: m } : undefined;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const formatClock = (t: ClockTime): string => `${pad(t.hour)}:${pad(t.minute)}`;

/**
 * "21:00-08:00" (also "21:00–08:00" with an en dash, spaces allowed, "9:00" allowed) → QuietHours; "off"/"none"/""
 * → 'off'; anything else → { error }. Equal start and end is an error: it could mean never or always.
 */
export function parseQuietHours(text: string): QuietHours | 'off' | { readonly error: string } {
  const trimmed = text.trim();
  if (['', 'off', 'none'].includes(trimmed.toLowerCase())) return 'off';
  const match = QUIET_HOURS.exec(trimmed);
  if (match === null) return { error: EXPECTED };
  const start = clockTime(match[1]!, match[2]!);
  const end = clockTime(match[3]!, match[4]!);
  if (start === undefined || end === undefined) return { error: EXPECTED };
  if (start.hour === end.hour && start.minute === end.minute) {
    return { error: `quiet hours cannot start and end at ${formatClock(start)}: ${EXPECTED}` };
  }
  return { start, end };
}

/** "21:00–08:00", with an en dash, as people read it. */
export function formatQuietHours(q: QuietHours): string {
  return `${formatClock(q.start)}–${formatClock(q.end)}`;
}

/** One night's (or one day's) quiet hours as instants: [start, end). */
interface Window {
  readonly start: Date;
  readonly end: Date;
}

/**
 * The quiet hours that begin on the local day `day`. whenClockReaches gives each boundary the DST meaning users
 * expect: a skipped one happens when the clocks jump past it, a repeated one at its first occurrence.
 */
function windowFrom(q: QuietHours, zone: string, day: LocalTime): Window {
  const crossesMidnight = q.start.hour * 60 + q.start.minute > q.end.hour * 60 + q.end.minute;
  const start = whenClockReaches({ ...day, ...q.start, second: 0 }, zone);
  const end = whenClockReaches({ ...shiftDays(day, crossesMidnight ? 1 : 0), ...q.end, second: 0 }, zone);
  return { start, end };
}

/**
 * Whether `instant` is inside the quiet hours in `zone`. Inside: when they end (the next instant the local clock
 * reaches `end`). Outside: when they next start. Boundaries: start is inside, end is outside. DST: a boundary whose
 * local time is skipped that day happens when the clock jumps past it (e.g. 02:30 on 2026-03-29 → 03:00 local);
 * one that happens twice happens at its first occurrence.
 */
export function quietState(q: QuietHours, zone: string, instant: Date): { readonly quiet: true; readonly endsAt: Date } | { readonly quiet: false; readonly startsAt: Date } {
  const today = localTimeOf(instant, zone);
  // Yesterday's window may still be open after midnight; tomorrow's is the latest that can start next. A window
  // that a clock change squeezes to nothing (02:10–02:40 on the night the clocks skip 02:00–03:00) does not count.
  const windows = [-1, 0, 1].map((days) => windowFrom(q, zone, shiftDays(today, days))).filter((w) => w.start < w.end);
  const current = windows.find((w) => w.start <= instant && instant < w.end);
  if (current !== undefined) return { quiet: true, endsAt: current.end };
  const upcoming = windows.find((w) => w.start > instant) ?? windowFrom(q, zone, shiftDays(today, 2));
  return { quiet: false, startsAt: upcoming.start };
}

/** Whether a send running over [from, until) enters quiet hours; the instant it would, if so. from inside → from. Empty span → undefined. */
export function quietEntry(q: QuietHours, zone: string, from: Date, until: Date): Date | undefined {
  if (from >= until) return undefined;
  const state = quietState(q, zone, from);
  if (state.quiet) return from;
  return state.startsAt < until ? state.startsAt : undefined;
}
