import { offsetMillis } from './schedule/zoned-time.js';

/** A strict ISO 8601 instant, as canale writes it: kept exactly as written, so an export reads back the same. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Every other shape read: a date (year first, or day first as in Italy, or month first as in the US when the day
 * shows it), then an optional time (`:` or `.` between its parts, as Italian Sheets writes `9.14.03`), an optional
 * AM/PM and an optional zone (`Z`, `+0100`, `+01:00`, `CET`, `GMT+1`, `UTC+01:00`), as Google Forms and Sheets
 * write their timestamps: `2026/11/20 9:14:03 AM CET`, `20/11/2026 9.14.03`, `11/20/2026 14:14:03`.
 */
const SHAPE = new RegExp(
  [
    '^(\\d{1,4})([/.-])(\\d{1,2})\\2(\\d{1,4})',
    '(?:(?:T|,?\\s+)(\\d{1,2})[:.](\\d{2})(?:[:.](\\d{2})(?:[.,]\\d{1,9})?)?)?',
    '(?:\\s*([AaPp])\\.?\\s?[Mm]\\.?)?',
    '(?:\\s*(Z|[+-]\\d{1,2}(?::?\\d{2})?|[A-Za-z]{2,5}(?:[+-]\\d{1,2}(?::?\\d{2})?)?))?$',
  ].join(''),
);

/** The zone names Google and spreadsheets write, in minutes east of UTC. */
const ZONE_NAMES: ReadonlyMap<string, number> = new Map([
  ['Z', 0], ['UT', 0], ['UTC', 0], ['GMT', 0], ['WET', 0], ['WEST', 60], ['BST', 60], ['CET', 60], ['CEST', 120],
  ['MET', 60], ['MEST', 120], ['EET', 120], ['EEST', 180], ['MSK', 180],
  ['EST', -300], ['EDT', -240], ['CST', -360], ['CDT', -300], ['MST', -420], ['MDT', -360], ['PST', -480], ['PDT', -420],
]);

interface Parts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function isValid(p: Parts): boolean {
  if (p.year < 1900 || p.year > 2200 || p.month < 1 || p.month > 12 || p.day < 1 || p.hour > 23 || p.minute > 59 || p.second > 59) return false;
  const daysInMonth = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  return p.day <= daysInMonth;
}

/** The instant a wall-clock time in `timeZone` names (for a time skipped by a DST change, the hour after). */
function zonedInstant(p: Parts, timeZone: string): number {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const first = wall - offsetMillis(wall, timeZone);
  return wall - offsetMillis(first, timeZone);
}

/** `+1`, `+0100`, `-05:30` → minutes east of UTC. */
function offsetMinutes(text: string): number | undefined {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  if (m === null) return undefined;
  const minutes = +m[2]! * 60 + +(m[3] ?? 0);
  if (minutes > 14 * 60) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

/** A zone as written after a time: `Z`, `+01:00`, `CET`, `GMT+1`, `UTC+01:00`; undefined when it is not one. */
function zoneMinutes(text: string): number | undefined {
  const upper = text.toUpperCase();
  if (upper.startsWith('+') || upper.startsWith('-')) return offsetMinutes(upper);
  const named = /^([A-Z]{2,5})(.*)$/.exec(upper);
  if (named === null) return undefined;
  const base = ZONE_NAMES.get(named[1]!);
  if (base === undefined) return undefined;
  if (named[2] === '') return base;
  // only GMT and UTC take an offset after them (`GMT+1`); `CET+1` is not something anyone writes
  if (base !== 0 || !['GMT', 'UTC', 'UT'].includes(named[1]!)) return undefined;
  return offsetMinutes(named[2]!);
}

/** How a column writes its dates with the year last: day first (Italy, the default) or month first (the US). */
export type DateOrder = 'day-first' | 'month-first';

/** Day, month and year from a date written with the year last, in `order` unless only the other can be right. */
function yearLast(first: number, second: number, yearText: string, order: DateOrder): Pick<Parts, 'year' | 'month' | 'day'> {
  const year = yearText.length === 2 ? 2000 + +yearText : +yearText;
  // `11/20/2026` can only be month first (a US spreadsheet), `20/11/2026` only day first
  const monthFirst = order === 'month-first' ? first <= 12 : second > 12 && first <= 12;
  return monthFirst ? { year, month: first, day: second } : { year, month: second, day: first };
}

/**
 * What a date cell says about the order of its column: `day-first` (`20/11/2026`) or `month-first` (`11/20/2026`)
 * when only that reading can be right, `ambiguous` when both can (`03/02/2026`), undefined when the year comes
 * first or the text is not such a date.
 */
export function dateOrderOf(text: string): DateOrder | 'ambiguous' | undefined {
  const m = SHAPE.exec(text.trim());
  if (m === null || m[1]!.length > 2 || m[4]!.length === 3 || m[4]!.length === 1) return undefined;
  const first = +m[1]!;
  const second = +m[3]!;
  if (first > 12 && second <= 12) return 'day-first';
  if (second > 12 && first <= 12) return 'month-first';
  return first <= 12 && second <= 12 && first !== second ? 'ambiguous' : undefined;
}

/**
 * Reads a date cell — ISO 8601, `dd/mm/yyyy`, or a form's timestamp in any of the ways Google Forms and Sheets write
 * it (`2026/11/20 9:14:03 AM GMT+1`, `20/11/2026 9.14.03`, `2026-11-20 09:14:03 CET`) — as an ISO instant in UTC.
 * A zone written in the cell wins; a time without one is a wall-clock time in `timeZone` (the city's), and a date
 * without a time is midnight there, so it is shown as that very day. A date with the year last is read in `order`
 * unless only the other order can be right. Returns undefined when the text is not a date that exists.
 */
export function parseDateCell(text: string, timeZone: string, order: DateOrder = 'day-first'): string | undefined {
  const trimmed = text.trim();
  if (ISO_INSTANT.test(trimmed)) return Number.isNaN(Date.parse(trimmed)) ? undefined : trimmed;
  const m = SHAPE.exec(trimmed);
  if (m === null) return undefined;
  const [, a, , b, c, hourText, minuteText, secondText, meridiem, zone] = m;
  let date: Pick<Parts, 'year' | 'month' | 'day'>;
  if (a!.length === 4 && c!.length <= 2) date = { year: +a!, month: +b!, day: +c! };
  else if (a!.length <= 2 && (c!.length === 4 || c!.length === 2)) date = yearLast(+a!, +b!, c!, order);
  else return undefined;
  let hour = +(hourText ?? 0);
  if (meridiem !== undefined) {
    if (hourText === undefined || hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem.toUpperCase() === 'P' ? 12 : 0);
  }
  const parts: Parts = { ...date, hour, minute: +(minuteText ?? 0), second: +(secondText ?? 0) };
  if (!isValid(parts)) return undefined;
  if (zone === undefined) return new Date(zonedInstant(parts, timeZone)).toISOString();
  const minutes = zoneMinutes(zone);
  if (minutes === undefined) return undefined;
  return new Date(Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - minutes * 60_000).toISOString();
}
