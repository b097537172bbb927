import { isValidTimeZone, offsetMillis, type LocalTime } from '../core/schedule/zoned-time.js';

const pad = (n: number): string => String(n).padStart(2, '0');

/** The instant an ISO text or a Date names, or undefined when it names none (then the text is shown as it is). */
function instantOf(when: string | Date): Date | undefined {
  const instant = typeof when === 'string' ? new Date(when) : when;
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const QUARTER = 15 * MINUTE;
let last = { key: '', text: '' };
/** Per zone, the offset of each quarter hour (UTC) seen so far, when it holds for the whole quarter. */
const offsets = new Map<string, Map<number, number>>();

/**
 * The zone's offset at an instant, remembered per quarter hour: a list of a million subscribers asks it a million
 * times, and Intl answers in about 10 µs. A quarter whose two ends disagree (a clock change inside it) is asked
 * exactly each time and not remembered.
 */
function offsetAt(millis: number, zone: string): number {
  let known = offsets.get(zone);
  if (known === undefined || known.size > 100_000) offsets.set(zone, (known = new Map()));
  const quarter = Math.floor(millis / QUARTER);
  const cached = known.get(quarter);
  if (cached !== undefined) return cached;
  const start = offsetMillis(quarter * QUARTER, zone);
  if (offsetMillis(quarter * QUARTER + QUARTER - 1, zone) !== start) return offsetMillis(millis, zone);
  known.set(quarter, start);
  return start;
}

/** The wall-clock reading in the zone, and whether it is exactly midnight (what a date-only value is stored as). */
function readingOf(instant: Date, zone: string): LocalTime & { readonly isMidnight: boolean } {
  const wall = new Date(instant.getTime() + offsetAt(instant.getTime(), zone));
  const local = { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: wall.getUTCSeconds() };
  return { ...local, isMidnight: local.hour === 0 && local.minute === 0 && local.second === 0 && wall.getUTCMilliseconds() === 0 };
}

/**
 * A time as a person reads it in a table or a line of text: the wall clock in `zone`, `2026-12-01 23:20` (24 h, no
 * seconds). With `dateOnly: 'at-midnight'` an instant that is exactly local midnight is shown as its day,
 * `2026-02-03`: a consent date read from a sheet that had no time. A text that is no time, or an unknown zone,
 * gives the text back unchanged (a display must never fail over a stored value).
 */
export function tableTime(when: string | Date, zone: string, options: { readonly dateOnly?: 'at-midnight' } = {}): string {
  const instant = instantOf(when);
  if (instant === undefined || !isValidTimeZone(zone)) return typeof when === 'string' ? when : when.toISOString();
  const wall = instant.getTime() + offsetAt(instant.getTime(), zone);
  const asDay = options.dateOnly === 'at-midnight' && wall % DAY === 0;
  // rows of one import share their minute: the text of the last one is kept
  const key = `${zone} ${asDay ? 'd' : 'm'}${Math.floor(wall / MINUTE)}`;
  if (key === last.key) return last.text;
  const local = readingOf(instant, zone);
  const day = `${local.year}-${pad(local.month)}-${pad(local.day)}`;
  last = { key, text: asDay ? day : `${day} ${pad(local.hour)}:${pad(local.minute)}` };
  return last.text;
}

const italianDays = new Map<string, Intl.DateTimeFormat>();

function italianDayFormat(zone: string): Intl.DateTimeFormat {
  let format = italianDays.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('it-IT', { timeZone: zone, day: 'numeric', month: 'long', year: 'numeric' });
    italianDays.set(zone, format);
  }
  return format;
}

/**
 * A time written the Italian way, for pages people forward: `1 dicembre 2026, 23:20` in `zone`; with
 * `dateOnly: 'at-midnight'`, local midnight is just `3 febbraio 2026`. Unknown texts and zones come back unchanged.
 */
export function italianTime(when: string | Date, zone: string, options: { readonly dateOnly?: 'at-midnight' } = {}): string {
  const instant = instantOf(when);
  if (instant === undefined || !isValidTimeZone(zone)) return typeof when === 'string' ? when : when.toISOString();
  const day = italianDayFormat(zone).format(instant);
  const local = readingOf(instant, zone);
  if (options.dateOnly === 'at-midnight' && local.isMidnight) return day;
  return `${day}, ${pad(local.hour)}:${pad(local.minute)}`;
}

/** A length of time in Italian: `45 s`, `4 min 12 s`, `2 h 5 min`. */
export function italianDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) {
    const rest = whole % 60;
    return `${Math.floor(whole / 60)} min${rest === 0 ? '' : ` ${rest} s`}`;
  }
  const minutes = Math.round(whole / 60);
  return `${Math.floor(minutes / 60)} h${minutes % 60 === 0 ? '' : ` ${minutes % 60} min`}`;
}
