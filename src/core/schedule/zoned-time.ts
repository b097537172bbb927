/** A wall-clock reading in some zone: what a clock on the town hall's wall shows. Months and days count from 1. */
export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** A moment the zone's clocks were changed (daylight saving), with the offsets on either side, in minutes. */
export interface ClockChange {
  readonly at: Date;
  readonly offsetBefore: number;
  readonly offsetAfter: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. Throws for an unknown zone. */
function formatterFor(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** True when Intl knows the IANA zone. */
export function isValidTimeZone(zone: string): boolean {
  if (zone === '') return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of an instant in a zone, to the second (milliseconds are dropped). Throws for an unknown zone. */
export function localTimeOf(instant: Date, zone: string): LocalTime {
  const parts = formatterFor(zone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** A local reading as milliseconds since the epoch, as if the zone were UTC: lets us do calendar arithmetic with Date.UTC. */
function wallMillis(local: LocalTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
}

/** The reading that `wallMillis` gave back. */
function fromWallMillis(millis: number): LocalTime {
  const d = new Date(millis);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

/** How many milliseconds the zone is ahead of UTC at that instant (a whole number of minutes). */
export function offsetMillis(millis: number, zone: string): number {
  const wholeSecond = Math.floor(millis / 1000) * 1000;
  return wallMillis(localTimeOf(new Date(wholeSecond), zone)) - wholeSecond;
}

/** How many minutes the zone is ahead of UTC at that instant. */
function offsetMinutes(millis: number, zone: string): number {
  return offsetMillis(millis, zone) / MINUTE;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "2026-12-01 07:30", seconds only when they are not zero. */
function formatReading(local: LocalTime): string {
  const seconds = local.second === 0 ? '' : `:${pad(local.second)}`;
  return `${local.year}-${pad(local.month)}-${pad(local.day)} ${pad(local.hour)}:${pad(local.minute)}${seconds}`;
}

/** "2026-12-01 07:30" — the wall clock in the zone, minutes precision, 24 h. */
export function formatLocal(instant: Date, zone: string): string {
  return formatReading({ ...localTimeOf(instant, zone), second: 0 });
}

/** Offset of the zone at that instant, as "+01:00" / "+02:00". */
export function offsetOf(instant: Date, zone: string): string {
  const minutes = offsetMinutes(instant.getTime(), zone);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The same wall-clock time `days` calendar days later (earlier when negative); 31 January + 1 is 1 February. */
export function shiftDays(local: LocalTime, days: number): LocalTime {
  return fromWallMillis(Date.UTC(local.year, local.month - 1, local.day + days, local.hour, local.minute, local.second));
}

/** The first instant in (lo, hi] whose offset differs from lo's; the caller knows exactly one change lies between. */
function firstChange(lo: number, hi: number, zone: string): number {
  const before = offsetMinutes(lo, zone);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMinutes(mid, zone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The clock changes in (from, until], oldest first. Looks a day at a time, because no zone changes its clocks twice
 * within a day, and a span with the same offset at both ends may still hold two changes (a whole summer).
 */
export function clockChangesBetween(from: Date, until: Date, zone: string): readonly ClockChange[] {
  const changes: ClockChange[] = [];
  let lo = from.getTime();
  let loOffset = offsetMinutes(lo, zone);
  while (lo < until.getTime()) {
    const hi = Math.min(lo + DAY, until.getTime());
    const hiOffset = offsetMinutes(hi, zone);
    if (hiOffset !== loOffset) changes.push({ at: new Date(firstChange(lo, hi, zone)), offsetBefore: loOffset, offsetAfter: hiOffset });
    lo = hi;
    loOffset = hiOffset;
  }
  return changes;
}

function isSameReading(a: LocalTime, b: LocalTime): boolean {
  return wallMillis(a) === wallMillis(b);
}

/**
 * The first instant at which the zone's clock reads `local` or later. That is the instant `local` names when it
 * exists, its first occurrence when the clocks go back and it exists twice, and, when the clocks go forward over
 * it, the instant they jump past it (02:30 on 2026-03-29 in Europe/Rome → 03:00 CEST). Quiet hours and skipped
 * recurring slots both mean this.
 */
export function whenClockReaches(local: LocalTime, zone: string): Date {
  const wall = wallMillis(local);
  // No zone changes its clocks twice in two days, so the offset at the answer is one of these two.
  const offsetBefore = offsetMinutes(wall - DAY, zone);
  const offsetAfter = offsetMinutes(wall + DAY, zone);
  const candidates = [wall - offsetBefore * MINUTE, wall - offsetAfter * MINUTE].sort((a, b) => a - b);
  const exact = candidates.find((c) => isSameReading(localTimeOf(new Date(c), zone), local));
  if (exact !== undefined) return new Date(exact);
  // Skipped: just before the change the clock read less than `local`, just after it more.
  return new Date(firstChange(wall - offsetAfter * MINUTE, wall - offsetBefore * MINUTE, zone));
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whether the fields make a calendar date and a 24 h time. Years are kept to four digits: Date.UTC reads 0–99 as 1900s. */
function isValidReading(l: LocalTime): boolean {
  const within = (n: number, min: number, max: number): boolean => Number.isInteger(n) && n >= min && n <= max;
  if (!within(l.year, 1000, 9999) || !within(l.month, 1, 12)) return false;
  return within(l.day, 1, daysInMonth(l.year, l.month)) && within(l.hour, 0, 23) && within(l.minute, 0, 59) && within(l.second, 0, 59);
}

/**
 * The instant a wall-clock time names in a zone. A time that does not exist (the hour skipped when clocks go forward)
 * → { ok: false, reason: '2026-03-29 02:30 does not exist in Europe/Rome (the clocks go forward from 02:00 to 03:00)' };
 * a time that exists twice (clocks go back) → the first (earlier) instant. A time that is no date, or an unknown
 * zone, is refused too.
 */
export function fromLocal(local: Omit<LocalTime, 'second'> & { second?: number }, zone: string): { ok: true; instant: Date } | { ok: false; reason: string } {
  const reading: LocalTime = { ...local, second: local.second ?? 0 };
  if (!isValidTimeZone(zone)) return { ok: false, reason: `unknown time zone "${zone}"` };
  if (!isValidReading(reading)) return { ok: false, reason: `${formatReading(reading)} is not a valid date and time` };
  const instant = whenClockReaches(reading, zone);
  const after = localTimeOf(instant, zone);
  if (isSameReading(after, reading)) return { ok: true, instant };
  const jump = offsetMinutes(instant.getTime(), zone) - offsetMinutes(instant.getTime() - 1, zone);
  const before = fromWallMillis(wallMillis(after) - jump * MINUTE);
  const hhmm = (l: LocalTime): string => `${pad(l.hour)}:${pad(l.minute)}`;
  return { ok: false, reason: `${formatReading(reading)} does not exist in ${zone} (the clocks go forward from ${hhmm(before)} to ${hhmm(after)})` };
}

/** Date and time, then an optional offset: 2026-12-01 07:30, 2026-12-01T07:30:00.000+01:00, 2026-12-01T06:30Z. */
const WHEN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Minutes east of UTC that "+01:00", "-0500" or "Z" say; undefined for "+25:00". */
function offsetFromText(text: string): number | undefined {
  if (text.toUpperCase() === 'Z') return 0;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (text.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * WHEN as users write it: ISO 8601 with an offset or Z ("2026-12-01T07:30:00+01:00", "2026-12-01T06:30Z") is that
 * instant; "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM" or with ":SS", without an offset, is a wall-clock time in `zone`
 * (its first occurrence when the clocks go back; refused, saying why, when they go forward over it). Anything else
 * → { ok: false, reason } that quotes the text and shows the accepted forms.
 */
export function parseWhen(text: string, zone: string): { ok: true; instant: Date } | { ok: false; reason: string } {
  if (!isValidTimeZone(zone)) return { ok: false, reason: `unknown time zone "${zone}"` };
  const refused = { ok: false, reason: `expected "YYYY-MM-DD HH:MM" (in ${zone}) or ISO 8601 with an offset, got "${text}"` } as const;
  const match = WHEN.exec(text.trim());
  if (match === null) return refused;
  const [, year, month, day, hour, minute, second, fraction, offsetText] = match;
  const reading: LocalTime = { year: +year!, month: +month!, day: +day!, hour: +hour!, minute: +minute!, second: +(second ?? 0) };
  if (!isValidReading(reading)) return refused;
  if (offsetText === undefined) return fromLocal(reading, zone);
  const offset = offsetFromText(offsetText);
  if (offset === undefined) return refused;
  const millis = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  return { ok: true, instant: new Date(wallMillis(reading) - offset * MINUTE + millis) };
}
