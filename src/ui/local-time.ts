import { isValidTimeZone, localTimeOf } from '../core/schedule/zoned-time.js';

/** The zone times are shown in when none is configured (config key `timezone`). */
export const DEFAULT_ZONE = 'Europe/Rome';

const pad = (n: number): string => String(n).padStart(2, '0');

/** The instant an ISO text or a Date names, or undefined when it names none (then the text is shown as it is). */
function instantOf(when: string | Date): Date | undefined {
  const instant = typeof when === 'string' ? new Date(when) : when;
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** Whether the zone's clock reads exactly midnight then: what a date-only value (a sheet's `03/02/2026`) is stored as. */
function isLocalMidnight(instant: Date, zone: string): boolean {
  const local = localTimeOf(instant, zone);
  return local.hour === 0 && local.minute === 0 && local.second === 0 && instant.getUTCMilliseconds() === 0;
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
  const local = localTimeOf(instant, zone);
  const day = `${local.year}-${pad(local.month)}-${pad(local.day)}`;
  if (options.dateOnly === 'at-midnight' && isLocalMidnight(instant, zone)) return day;
  return `${day} ${pad(local.hour)}:${pad(local.minute)}`;
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
  if (options.dateOnly === 'at-midnight' && isLocalMidnight(instant, zone)) return day;
  const local = localTimeOf(instant, zone);
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
