import { offsetMillis } from './schedule/zoned-time.js';

/** A strict ISO 8601 instant, as canale writes it: kept exactly as written, so an export reads back the same. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
/** Other ISO forms: `2026-11-28`, `2026-11-28 10:31`, `2026-11-28T10:31:05+0100`. */
const ISO_LIKE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
/** Day first, as in Italy and in Google Forms: `28/11/2026`, `28-11-26`, `28.11.2026 10.31.05`. */
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:,?\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$/;

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
  const second = wall - offsetMillis(first, timeZone);
  return second;
}

/**
 * Reads a date cell — ISO 8601, `dd/mm/yyyy`, or a form's timestamp such as `28/11/2026 10:31:05` — as an ISO
 * instant in UTC. Times without an offset are wall-clock times in `timeZone` (the city's). Returns undefined when
 * the text is not a date that exists.
 */
export function parseDateCell(text: string, timeZone: string): string | undefined {
  const trimmed = text.trim();
  if (ISO_INSTANT.test(trimmed)) return Number.isNaN(Date.parse(trimmed)) ? undefined : trimmed;
  let parts: Parts;
  let offset: string | undefined;
  const iso = ISO_LIKE.exec(trimmed);
  const dayFirst = iso === null ? DAY_FIRST.exec(trimmed) : null;
  if (iso !== null) {
    parts = { year: +iso[1]!, month: +iso[2]!, day: +iso[3]!, hour: +(iso[4] ?? 0), minute: +(iso[5] ?? 0), second: +(iso[6] ?? 0) };
    offset = iso[7];
  } else if (dayFirst !== null) {
    const year = dayFirst[3]!.length === 2 ? 2000 + +dayFirst[3]! : +dayFirst[3]!;
    parts = { year, month: +dayFirst[2]!, day: +dayFirst[1]!, hour: +(dayFirst[4] ?? 0), minute: +(dayFirst[5] ?? 0), second: +(dayFirst[6] ?? 0) };
  } else {
    return undefined;
  }
  if (!isValid(parts)) return undefined;
  if (offset === undefined) return new Date(zonedInstant(parts, timeZone)).toISOString();
  const sign = offset.toUpperCase() === 'Z' ? 0 : offset.startsWith('-') ? -1 : 1;
  const digits = offset.replace(/\D/g, '');
  const minutes = sign * (Number(digits.slice(0, 2) || 0) * 60 + Number(digits.slice(2) || 0));
  return new Date(Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - minutes * 60_000).toISOString();
}
