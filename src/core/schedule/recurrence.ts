import { Cron } from 'croner';
import type { ClockChange } from './zoned-time.js';
import { clockChangesBetween, formatLocal, isValidTimeZone, localTimeOf, shiftDays, whenClockReaches } from './zoned-time.js';

/**
 * slotsAt stops counting missed slots here and reports this many: a minutely pattern on a machine that was off for a
 * year would otherwise take half a million steps to say what "many" already says.
 */
export const MISSED_SLOTS_CAP = 10_000;

const EXAMPLE = 'every Monday at 07:00 is "0 7 * * 1"';

/**
 * Croner, told to read only 5-field patterns (so "0 7 * * 1 2027" is not taken as seconds first) and to treat lists
 * such as "30 2,14 * * *" as fixed times, which run once, after the gap, on the night the clocks go forward; by
 * default croner would drop them. Paused, and without a function, so it never starts a timer.
 */
function cronOf(pattern: string, place: { timezone: string } | { utcOffset: number }): Cron {
  return new Cron(pattern, { ...place, mode: '5-part', fixedTimeRule: 'no-wildcard', paused: true });
}

/** Croner's slots for a pattern in a zone, built once so loops do not parse the pattern again. */
interface Schedule {
  readonly pattern: string;
  readonly zone: string;
  readonly cron: Cron;
}

function scheduleOf(pattern: string, zone: string): Schedule {
  return { pattern, zone, cron: cronOf(pattern, { timezone: zone }) };
}

/** Croner's next slot strictly after `after`, as it gives it. */
function rawSlotAfter(s: Schedule, after: Date): Date | undefined {
  return s.cron.nextRun(after) ?? undefined;
}

/**
 * Whether the wall-clock reading of `slot` already happened earlier, because the clocks went back in between. Croner
 * runs patterns with a wildcard or step in the minute or hour ("0 * * * *", "*\/30 2 * * *") at both 02:00s when the
 * clocks go back; canale sends at the first only, so no subscriber gets the same scheduled message twice in a night.
 */
function isRepeatedReading(slot: Date, zone: string): boolean {
  return whenClockReaches(localTimeOf(slot, zone), zone).getTime() < slot.getTime();
}

/** Whether croner has any slot on the local calendar day that contains `instant`. */
function hasSlotOnDay(s: Schedule, instant: Date): boolean {
  const midnight = { ...localTimeOf(instant, s.zone), hour: 0, minute: 0, second: 0 };
  const dayStart = whenClockReaches(midnight, s.zone);
  const dayEnd = whenClockReaches(shiftDays(midnight, 1), s.zone);
  const first = rawSlotAfter(s, new Date(dayStart.getTime() - 1));
  return first !== undefined && first < dayEnd;
}

/**
 * Whether the pattern names a wall-clock time inside the hour a forward change skips. Read with the offset from
 * before the change, that hour is [change.at, change.at + jump), so croner with a fixed utcOffset can answer.
 */
function namesSkippedTime(pattern: string, change: ClockChange): boolean {
  const jumpEnd = change.at.getTime() + (change.offsetAfter - change.offsetBefore) * 60_000;
  const slot = cronOf(pattern, { utcOffset: change.offsetBefore }).nextRun(new Date(change.at.getTime() - 1));
  return slot !== null && slot.getTime() < jumpEnd;
}

/**
 * The slot canale adds for a day croner leaves empty: a pattern with a step in the minute, such as "*\/30 2 * * *",
 * names only times the clocks skip on 2026-03-29, so croner gives nothing that day. A send that is never made is a
 * send skipped, so it happens once, when the clocks jump past those times (03:00 local).
 */
function skippedDaySlot(s: Schedule, after: Date, until: Date): Date | undefined {
  const forward = clockChangesBetween(after, until, s.zone).filter((c) => c.offsetAfter > c.offsetBefore);
  return forward.find((c) => namesSkippedTime(s.pattern, c) && !hasSlotOnDay(s, c.at))?.at;
}

/** The first slot strictly after `after`, with croner's daylight-saving repeats dropped and skipped days filled. */
function slotAfter(s: Schedule, after: Date): Date | undefined {
  let from = after;
  for (;;) {
    const raw = rawSlotAfter(s, from);
    if (raw === undefined) return undefined;
    const filled = skippedDaySlot(s, from, raw);
    if (filled !== undefined) return filled;
    if (!isRepeatedReading(raw, s.zone)) return raw;
    from = raw;
  }
}

/** The text after croner's "CronPattern: " prefix, which names croner rather than the user's mistake. */
function cronerReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^CronPattern:\s*/, '');
}

/**
 * Checks a cron pattern for a recurring send: 5 fields (minute hour day month weekday) or croner's nicknames
 * (@daily, @weekly…). A pattern with a seconds field (6 or 7 fields) is refused — canale checks schedules once a
 * minute; so is one croner rejects, or one with no slot after `now`. reason quotes the pattern and says what to write.
 */
export function checkCron(pattern: string, zone: string, now: Date): { ok: true } | { ok: false; reason: string } {
  if (!isValidTimeZone(zone)) return { ok: false, reason: `unknown time zone "${zone}"` };
  const trimmed = pattern.trim();
  const fields = trimmed.split(/\s+/).length;
  if (!trimmed.startsWith('@') && (fields === 6 || fields === 7)) {
    return { ok: false, reason: `"${pattern}" has a seconds field, but canale checks schedules once a minute: write 5 fields (minute hour day month weekday); ${EXAMPLE}` };
  }
  if (!trimmed.startsWith('@') && fields !== 5) {
    return { ok: false, reason: `"${pattern}" is not a cron pattern: write 5 fields (minute hour day month weekday) or @daily, @weekly, @monthly; ${EXAMPLE}` };
  }
  let schedule: Schedule;
  try {
    schedule = scheduleOf(trimmed, zone);
  } catch (error) {
    return { ok: false, reason: `"${pattern}" is not a valid cron pattern (${cronerReason(error)}); ${EXAMPLE}` };
  }
  if (slotAfter(schedule, now) === undefined) {
    return { ok: false, reason: `"${pattern}" never fires after ${formatLocal(now, zone)} (${zone}); ${EXAMPLE}` };
  }
  return { ok: true };
}

/** The first slot strictly after `after`, in the zone; undefined when there is none. The pattern must pass checkCron. */
export function nextSlot(pattern: string, zone: string, after: Date): Date | undefined {
  return slotAfter(scheduleOf(pattern, zone), after);
}

/**
 * Where a recurring schedule stands at `now`, given `next`, the slot it is waiting for. When next <= now it is due:
 * `missed` counts the further slots in (next, now] that passed too (they are not sent: a machine that was off sends
 * once, not once per missed slot), at most MISSED_SLOTS_CAP; `following` is the first slot strictly after now. When
 * next > now: due=false.
 */
export function slotsAt(pattern: string, zone: string, next: Date, now: Date): { due: false } | { due: true; missed: number; following: Date | undefined } {
  if (next > now) return { due: false };
  const schedule = scheduleOf(pattern, zone);
  let missed = 0;
  let slot = slotAfter(schedule, next);
  while (slot !== undefined && slot <= now && missed < MISSED_SLOTS_CAP) {
    missed += 1;
    slot = slotAfter(schedule, slot);
  }
  return { due: true, missed, following: slotAfter(schedule, now) };
}

/** Smallest gap in milliseconds between the next `count` (default 8) slots after `after`; used to refuse patterns that fire more often than hourly. Undefined with fewer than two slots. */
export function shortestGap(pattern: string, zone: string, after: Date, count = 8): number | undefined {
  const schedule = scheduleOf(pattern, zone);
  let shortest: number | undefined;
  let previous = slotAfter(schedule, after);
  for (let i = 1; i < count && previous !== undefined; i += 1) {
    const slot = slotAfter(schedule, previous);
    if (slot === undefined) break;
    const gap = slot.getTime() - previous.getTime();
    shortest = shortest === undefined ? gap : Math.min(shortest, gap);
    previous = slot;
  }
  return shortest;
}
