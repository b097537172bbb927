import { describe, expect, it } from 'vitest';
import {
  clockChangesBetween,
  formatLocal,
  fromLocal,
  isValidTimeZone,
  localTimeOf,
  offsetOf,
  parseWhen,
  shiftDays,
  whenClockReaches,
} from '../../../src/core/schedule/zoned-time.js';

const ROME = 'Europe/Rome';
const NEW_YORK = 'America/New_York';
const at = (iso: string): Date => new Date(iso);
const local = (year: number, month: number, day: number, hour: number, minute: number, second = 0) => ({ year, month, day, hour, minute, second });

describe('isValidTimeZone', () => {
  it.each([
    [ROME, true],
    [NEW_YORK, true],
    ['UTC', true],
    ['Asia/Kolkata', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
    [' Europe/Rome', false],
  ])('%j → %s', (zone, expected) => {
    expect(isValidTimeZone(zone)).toBe(expected);
  });
});

describe('localTimeOf', () => {
  it.each([
    ['2026-01-15T11:00:00Z', ROME, local(2026, 1, 15, 12, 0)],
    ['2026-07-15T11:00:00Z', ROME, local(2026, 7, 15, 13, 0)],
    ['2026-12-31T23:30:45.999Z', ROME, local(2027, 1, 1, 0, 30, 45)],
    ['2026-03-29T00:59:59Z', ROME, local(2026, 3, 29, 1, 59, 59)],
    ['2026-03-29T01:00:00Z', ROME, local(2026, 3, 29, 3, 0)],
    ['2026-10-25T00:30:00Z', ROME, local(2026, 10, 25, 2, 30)],
    ['2026-10-25T01:30:00Z', ROME, local(2026, 10, 25, 2, 30)],
    ['2026-01-01T03:00:00Z', NEW_YORK, local(2025, 12, 31, 22, 0)],
    ['2026-06-01T00:00:00Z', 'UTC', local(2026, 6, 1, 0, 0)],
  ])('%s in %s', (iso, zone, expected) => {
    expect(localTimeOf(at(iso), zone)).toEqual(expected);
  });
});

describe('formatLocal', () => {
  it.each([
    ['2026-12-01T06:30:00Z', ROME, '2026-12-01 07:30'],
    ['2026-06-01T05:30:59Z', ROME, '2026-06-01 07:30'],
    ['2026-03-29T01:00:00Z', ROME, '2026-03-29 03:00'],
    ['2026-10-25T00:00:00Z', ROME, '2026-10-25 02:00'],
    ['2026-10-25T01:00:00Z', ROME, '2026-10-25 02:00'],
    ['2026-12-01T12:30:00Z', NEW_YORK, '2026-12-01 07:30'],
    ['2026-12-01T02:05:00Z', 'Asia/Kolkata', '2026-12-01 07:35'],
  ])('%s in %s → %s', (iso, zone, expected) => {
    expect(formatLocal(at(iso), zone)).toBe(expected);
  });
});

describe('offsetOf', () => {
  it.each([
    ['2026-01-15T12:00:00Z', ROME, '+01:00'],
    ['2026-07-15T12:00:00Z', ROME, '+02:00'],
    ['2026-03-29T00:59:59Z', ROME, '+01:00'],
    ['2026-03-29T01:00:00Z', ROME, '+02:00'],
    ['2026-10-25T00:59:59Z', ROME, '+02:00'],
    ['2026-10-25T01:00:00Z', ROME, '+01:00'],
    ['2027-03-28T01:00:00Z', ROME, '+02:00'],
    ['2027-10-31T01:00:00Z', ROME, '+01:00'],
    ['2026-01-15T12:00:00Z', NEW_YORK, '-05:00'],
    ['2026-07-15T12:00:00Z', NEW_YORK, '-04:00'],
    ['2026-01-15T12:00:00Z', 'Asia/Kolkata', '+05:30'],
    ['2026-01-15T12:00:00Z', 'America/St_Johns', '-03:30'],
    ['2026-01-15T12:00:00Z', 'UTC', '+00:00'],
  ])('%s in %s → %s', (iso, zone, expected) => {
    expect(offsetOf(at(iso), zone)).toBe(expected);
  });
});

describe('shiftDays', () => {
  it.each([
    [local(2026, 1, 31, 21, 0), 1, local(2026, 2, 1, 21, 0)],
    [local(2026, 12, 31, 21, 0), 1, local(2027, 1, 1, 21, 0)],
    [local(2028, 2, 28, 8, 0), 1, local(2028, 2, 29, 8, 0)],
    [local(2026, 3, 1, 8, 0), -1, local(2026, 2, 28, 8, 0)],
  ])('%j %+d days', (from, days, expected) => {
    expect(shiftDays(from, days)).toEqual(expected);
  });
});

describe('fromLocal', () => {
  it.each([
    [local(2026, 12, 1, 7, 30), ROME, '2026-12-01T06:30:00.000Z'],
    [local(2026, 6, 1, 7, 30), ROME, '2026-06-01T05:30:00.000Z'],
    [local(2026, 3, 29, 1, 59, 59), ROME, '2026-03-29T00:59:59.000Z'],
    [local(2026, 3, 29, 3, 0), ROME, '2026-03-29T01:00:00.000Z'],
    // exists twice: the first (CEST) occurrence
    [local(2026, 10, 25, 2, 0), ROME, '2026-10-25T00:00:00.000Z'],
    [local(2026, 10, 25, 2, 30), ROME, '2026-10-25T00:30:00.000Z'],
    [local(2026, 10, 25, 3, 0), ROME, '2026-10-25T02:00:00.000Z'],
    [local(2027, 10, 31, 2, 30), ROME, '2027-10-31T00:30:00.000Z'],
    [local(2027, 3, 28, 3, 30), ROME, '2027-03-28T01:30:00.000Z'],
    [local(2026, 11, 1, 1, 30), NEW_YORK, '2026-11-01T05:30:00.000Z'],
    [local(2026, 12, 1, 7, 30), NEW_YORK, '2026-12-01T12:30:00.000Z'],
  ])('%j in %s → %s', (reading, zone, iso) => {
    expect(fromLocal(reading, zone)).toEqual({ ok: true, instant: at(iso) });
  });

  it('takes second as optional', () => {
    expect(fromLocal({ year: 2026, month: 12, day: 1, hour: 7, minute: 30 }, ROME)).toEqual({ ok: true, instant: at('2026-12-01T06:30:00Z') });
  });

  it.each([
    [local(2026, 3, 29, 2, 0), ROME, '2026-03-29 02:00 does not exist in Europe/Rome (the clocks go forward from 02:00 to 03:00)'],
    [local(2026, 3, 29, 2, 30), ROME, '2026-03-29 02:30 does not exist in Europe/Rome (the clocks go forward from 02:00 to 03:00)'],
    [local(2027, 3, 28, 2, 59, 59), ROME, '2027-03-28 02:59:59 does not exist in Europe/Rome (the clocks go forward from 02:00 to 03:00)'],
    [local(2026, 3, 8, 2, 30), NEW_YORK, '2026-03-08 02:30 does not exist in America/New_York (the clocks go forward from 02:00 to 03:00)'],
    [local(2026, 2, 29, 7, 30), ROME, '2026-02-29 07:30 is not a valid date and time'],
    [local(2026, 13, 1, 7, 30), ROME, '2026-13-01 07:30 is not a valid date and time'],
    [local(2026, 12, 1, 24, 0), ROME, '2026-12-01 24:00 is not a valid date and time'],
    [local(2026, 12, 1, 7, 30), 'Mars/Olympus_Mons', 'unknown time zone "Mars/Olympus_Mons"'],
  ])('refuses %j in %s', (reading, zone, reason) => {
    expect(fromLocal(reading, zone)).toEqual({ ok: false, reason });
  });
});

describe('whenClockReaches', () => {
  it.each([
    [local(2026, 12, 1, 7, 30), '2026-12-01T06:30:00.000Z'],
    // skipped: when the clocks jump past it
    [local(2026, 3, 29, 2, 0), '2026-03-29T01:00:00.000Z'],
    [local(2026, 3, 29, 2, 30), '2026-03-29T01:00:00.000Z'],
    [local(2027, 3, 28, 2, 30), '2027-03-28T01:00:00.000Z'],
    // repeated: the first time
    [local(2026, 10, 25, 2, 30), '2026-10-25T00:30:00.000Z'],
  ])('%j → %s', (reading, iso) => {
    expect(whenClockReaches(reading, ROME).toISOString()).toBe(iso);
  });
});

describe('clockChangesBetween', () => {
  it('finds both changes of a year, to the millisecond', () => {
    expect(clockChangesBetween(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'), ROME)).toEqual([
      { at: at('2026-03-29T01:00:00Z'), offsetBefore: 60, offsetAfter: 120 },
      { at: at('2026-10-25T01:00:00Z'), offsetBefore: 120, offsetAfter: 60 },
    ]);
  });

  it.each([
    ['2026-03-29T01:00:00Z', '2026-03-30T00:00:00Z', 0],
    ['2026-03-29T00:59:59.999Z', '2026-03-29T01:00:00Z', 1],
    ['2026-04-01T00:00:00Z', '2026-10-01T00:00:00Z', 0],
  ])('(%s, %s] holds %d', (from, until, count) => {
    expect(clockChangesBetween(at(from), at(until), ROME)).toHaveLength(count);
  });

  it('finds none in a zone without daylight saving', () => {
    expect(clockChangesBetween(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'), 'Asia/Kolkata')).toEqual([]);
  });
});

describe('parseWhen', () => {
  it.each([
    ['2026-12-01T07:30:00+01:00', ROME, '2026-12-01T06:30:00.000Z'],
    ['2026-12-01T06:30Z', ROME, '2026-12-01T06:30:00.000Z'],
    ['2026-12-01T06:30:00.250z', ROME, '2026-12-01T06:30:00.250Z'],
    ['2026-12-01T07:30:00-05:00', ROME, '2026-12-01T12:30:00.000Z'],
    ['2026-12-01T07:30+0530', ROME, '2026-12-01T02:00:00.000Z'],
    ['2026-12-01 07:30', ROME, '2026-12-01T06:30:00.000Z'],
    ['2026-12-01T07:30', ROME, '2026-12-01T06:30:00.000Z'],
    ['2026-12-01 07:30:15', ROME, '2026-12-01T06:30:15.000Z'],
    ['  2026-06-01 7:30 ', ROME, '2026-06-01T05:30:00.000Z'],
    ['2026-10-25 02:30', ROME, '2026-10-25T00:30:00.000Z'],
    ['2027-03-28 03:00', ROME, '2027-03-28T01:00:00.000Z'],
    ['2026-12-01 07:30', NEW_YORK, '2026-12-01T12:30:00.000Z'],
    ['2026-07-01T07:30', NEW_YORK, '2026-07-01T11:30:00.000Z'],
    ['2026-11-01 01:30', NEW_YORK, '2026-11-01T05:30:00.000Z'],
    // an offset wins over the zone
    ['2026-12-01T07:30:00+01:00', NEW_YORK, '2026-12-01T06:30:00.000Z'],
  ])('%j in %s → %s', (text, zone, iso) => {
    expect(parseWhen(text, zone)).toEqual({ ok: true, instant: at(iso) });
  });

  it.each([['31/12 7:30'], ['tomorrow'], [''], ['2026-13-01 07:30'], ['2026-02-30 07:30'], ['2026-12-01 25:00'], ['2026-12-01 07:60'], ['2026-12-01'], ['2026-12-01T07:30+25:00'], ['07:30'], ['2026-12-01 07:30 Europe/Rome']])(
    'refuses %j, quoting it',
    (text) => {
      expect(parseWhen(text, ROME)).toEqual({ ok: false, reason: `expected "YYYY-MM-DD HH:MM" (in Europe/Rome) or ISO 8601 with an offset, got "${text}"` });
    },
  );

  it.each([
    ['2026-03-29 02:30', ROME, '2026-03-29 02:30 does not exist in Europe/Rome (the clocks go forward from 02:00 to 03:00)'],
    ['2026-03-08T02:15', NEW_YORK, '2026-03-08 02:15 does not exist in America/New_York (the clocks go forward from 02:00 to 03:00)'],
    ['2026-12-01 07:30', 'Europe/Atlantis', 'unknown time zone "Europe/Atlantis"'],
  ])('refuses %j in %s, saying why', (text, zone, reason) => {
    expect(parseWhen(text, zone)).toEqual({ ok: false, reason });
  });

  it('reads back what formatLocal writes', () => {
    const instant = at('2026-10-25T01:45:00Z');
    const parsed = parseWhen(`${formatLocal(instant, ROME).replace(' ', 'T')}${offsetOf(instant, ROME)}`, ROME);
    expect(parsed).toEqual({ ok: true, instant });
  });
});
