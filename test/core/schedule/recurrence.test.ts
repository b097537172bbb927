import { describe, expect, it } from 'vitest';
import { checkCron, MISSED_SLOTS_CAP, nextSlot, shortestGap, slotsAt } from '../../../src/core/schedule/recurrence.js';
import { formatLocal, offsetOf } from '../../../src/core/schedule/zoned-time.js';

const ROME = 'Europe/Rome';
const NOW = new Date('2026-06-01T10:00:00Z');
const at = (iso: string): Date => new Date(iso);
const HOUR = 3_600_000;

/** Every slot in (from, until], as "2026-03-29 03:00 +02:00", the reading a tester can check against a wall calendar. */
function slotsBetween(pattern: string, zone: string, from: string, until: string): string[] {
  const slots: string[] = [];
  for (let slot = nextSlot(pattern, zone, at(from)); slot !== undefined && slot <= at(until); slot = nextSlot(pattern, zone, slot)) {
    slots.push(`${formatLocal(slot, zone)} ${offsetOf(slot, zone)}`);
  }
  return slots;
}

function slotInstants(pattern: string, zone: string, from: string, until: string): Date[] {
  const slots: Date[] = [];
  for (let slot = nextSlot(pattern, zone, at(from)); slot !== undefined && slot <= at(until); slot = nextSlot(pattern, zone, slot)) slots.push(slot);
  return slots;
}

describe('checkCron', () => {
  it.each([['0 7 * * 1'], ['30 2 * * *'], ['*/15 8-18 * * 1-5'], ['0 7 * * MON'], ['0 9 1 * *'], [' 0 7 * * 1 '], ['@daily'], ['@weekly'], ['@monthly'], ['@hourly'], ['0 12 29 2 *']])(
    'accepts %j',
    (pattern) => {
      expect(checkCron(pattern, ROME, NOW)).toEqual({ ok: true });
    },
  );

  it.each([
    ['0 0 7 * * 1', '"0 0 7 * * 1" has a seconds field, but canale checks schedules once a minute: write 5 fields (minute hour day month weekday); every Monday at 07:00 is "0 7 * * 1"'],
    ['0 0 7 * * 1 2027', '"0 0 7 * * 1 2027" has a seconds field, but canale checks schedules once a minute: write 5 fields (minute hour day month weekday); every Monday at 07:00 is "0 7 * * 1"'],
    ['', '"" is not a cron pattern: write 5 fields (minute hour day month weekday) or @daily, @weekly, @monthly; every Monday at 07:00 is "0 7 * * 1"'],
    ['every monday', '"every monday" is not a cron pattern: write 5 fields (minute hour day month weekday) or @daily, @weekly, @monthly; every Monday at 07:00 is "0 7 * * 1"'],
    ['2026-12-01T07:30:00', '"2026-12-01T07:30:00" is not a cron pattern: write 5 fields (minute hour day month weekday) or @daily, @weekly, @monthly; every Monday at 07:00 is "0 7 * * 1"'],
    ['0 7 * *', '"0 7 * *" is not a cron pattern: write 5 fields (minute hour day month weekday) or @daily, @weekly, @monthly; every Monday at 07:00 is "0 7 * * 1"'],
    ['61 7 * * 1', '"61 7 * * 1" is not a valid cron pattern (Invalid value for minute: 61); every Monday at 07:00 is "0 7 * * 1"'],
    ['0 7 * * 8', '"0 7 * * 8" is not a valid cron pattern (Invalid value for dayOfWeek: 8); every Monday at 07:00 is "0 7 * * 1"'],
    ['0 0 30 2 *', '"0 0 30 2 *" never fires after 2026-06-01 12:00 (Europe/Rome); every Monday at 07:00 is "0 7 * * 1"'],
    ['0 7 31 4 *', '"0 7 31 4 *" never fires after 2026-06-01 12:00 (Europe/Rome); every Monday at 07:00 is "0 7 * * 1"'],
  ])('refuses %j', (pattern, reason) => {
    expect(checkCron(pattern, ROME, NOW)).toEqual({ ok: false, reason });
  });

  it.each([['@reboot'], ['@every 5m'], ['5/5 * * * *']])('refuses %j with croner’s reason', (pattern) => {
    const result = checkCron(pattern, ROME, NOW);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(new RegExp(`^"${pattern.replace(/[*/]/g, '\\$&')}" is not a valid cron pattern \\(.+\\); every Monday`));
  });

  it('refuses an unknown zone', () => {
    expect(checkCron('0 7 * * 1', 'Europe/Atlantis', NOW)).toEqual({ ok: false, reason: 'unknown time zone "Europe/Atlantis"' });
  });
});

describe('nextSlot', () => {
  it.each([
    ['0 7 * * 1', '2026-06-01T04:00:00Z', '2026-06-01T05:00:00.000Z'],
    // strictly after
    ['0 7 * * 1', '2026-06-01T05:00:00Z', '2026-06-08T05:00:00.000Z'],
    ['0 7 * * 1', '2026-06-01T05:00:00.001Z', '2026-06-08T05:00:00.000Z'],
    ['@daily', '2026-12-01T12:00:00Z', '2026-12-01T23:00:00.000Z'],
    ['0 9 1 * *', '2026-12-15T00:00:00Z', '2027-01-01T08:00:00.000Z'],
    ['0 12 29 2 *', '2026-06-01T00:00:00Z', '2028-02-29T11:00:00.000Z'],
  ])('%s after %s → %s', (pattern, after, expected) => {
    expect(nextSlot(pattern, ROME, at(after))?.toISOString()).toBe(expected);
  });

  it('is undefined for a pattern that never fires', () => {
    expect(nextSlot('0 0 30 2 *', ROME, NOW)).toBeUndefined();
  });

  it('reads the pattern in the zone', () => {
    expect(nextSlot('0 7 * * *', 'America/New_York', at('2026-12-01T00:00:00Z'))?.toISOString()).toBe('2026-12-01T12:00:00.000Z');
  });
});

describe('nextSlot across daylight-saving changes (Europe/Rome)', () => {
  it.each([
    // 02:30 does not exist on 2026-03-29: croner runs it once, when the clocks jump to 03:00
    ['30 2 * * *', '2026-03-27T00:00:00Z', '2026-03-31T23:00:00Z', ['2026-03-27 02:30 +01:00', '2026-03-28 02:30 +01:00', '2026-03-29 03:00 +02:00', '2026-03-30 02:30 +02:00', '2026-03-31 02:30 +02:00']],
    // 02:30 exists twice on 2026-10-25: the first only
    ['30 2 * * *', '2026-10-23T00:00:00Z', '2026-10-27T23:00:00Z', ['2026-10-23 02:30 +02:00', '2026-10-24 02:30 +02:00', '2026-10-25 02:30 +02:00', '2026-10-26 02:30 +01:00', '2026-10-27 02:30 +01:00']],
    ['30 2 * * *', '2027-03-27T00:00:00Z', '2027-03-29T23:00:00Z', ['2027-03-27 02:30 +01:00', '2027-03-28 03:00 +02:00', '2027-03-29 02:30 +02:00']],
    ['30 2 * * *', '2027-10-30T00:00:00Z', '2027-11-01T23:00:00Z', ['2027-10-30 02:30 +02:00', '2027-10-31 02:30 +02:00', '2027-11-01 02:30 +01:00']],
    // 07:00 each Monday, the UTC hour shifting
    ['0 7 * * 1', '2026-03-16T00:00:00Z', '2026-04-07T00:00:00Z', ['2026-03-16 07:00 +01:00', '2026-03-23 07:00 +01:00', '2026-03-30 07:00 +02:00', '2026-04-06 07:00 +02:00']],
    ['0 7 * * 1', '2026-10-12T00:00:00Z', '2026-11-03T00:00:00Z', ['2026-10-12 07:00 +02:00', '2026-10-19 07:00 +02:00', '2026-10-26 07:00 +01:00', '2026-11-02 07:00 +01:00']],
    ['0 7 * * 1', '2027-03-21T00:00:00Z', '2027-04-06T00:00:00Z', ['2027-03-22 07:00 +01:00', '2027-03-29 07:00 +02:00', '2027-04-05 07:00 +02:00']],
    ['0 7 * * 1', '2027-10-24T00:00:00Z', '2027-11-09T00:00:00Z', ['2027-10-25 07:00 +02:00', '2027-11-01 07:00 +01:00', '2027-11-08 07:00 +01:00']],
    // a list is a fixed time too (croner's fixedTimeRule "no-wildcard")
    ['30 2,14 * * *', '2026-03-28T12:00:00Z', '2026-03-29T23:00:00Z', ['2026-03-28 14:30 +01:00', '2026-03-29 03:00 +02:00', '2026-03-29 14:30 +02:00']],
    ['30 2,14 * * *', '2026-10-24T12:00:00Z', '2026-10-25T23:00:00Z', ['2026-10-24 14:30 +02:00', '2026-10-25 02:30 +02:00', '2026-10-25 14:30 +01:00']],
    // a step in the hour: croner gives nothing on 2026-03-29 and both 02:00s and 02:30s on 2026-10-25; canale fills and drops
    ['*/30 2 * * *', '2026-03-28T00:00:00Z', '2026-03-30T23:00:00Z', ['2026-03-28 02:00 +01:00', '2026-03-28 02:30 +01:00', '2026-03-29 03:00 +02:00', '2026-03-30 02:00 +02:00', '2026-03-30 02:30 +02:00']],
    ['*/30 2 * * *', '2026-10-23T23:00:00Z', '2026-10-26T23:00:00Z', ['2026-10-24 02:00 +02:00', '2026-10-24 02:30 +02:00', '2026-10-25 02:00 +02:00', '2026-10-25 02:30 +02:00', '2026-10-26 02:00 +01:00', '2026-10-26 02:30 +01:00']],
    // hourly: 02:00 is skipped in spring (an hour of real time still passes between 01:00 and 03:00) and sent once in autumn
    ['0 * * * *', '2026-03-28T23:30:00Z', '2026-03-29T02:30:00Z', ['2026-03-29 01:00 +01:00', '2026-03-29 03:00 +02:00', '2026-03-29 04:00 +02:00']],
    ['0 * * * *', '2026-10-24T22:30:00Z', '2026-10-25T03:30:00Z', ['2026-10-25 01:00 +02:00', '2026-10-25 02:00 +02:00', '2026-10-25 03:00 +01:00', '2026-10-25 04:00 +01:00']],
  ])('%s over (%s, %s]', (pattern, from, until, expected) => {
    expect(slotsBetween(pattern, ROME, from, until)).toEqual(expected);
  });

  it.each([
    ['30 2 * * *', '2026-03-27T00:00:00Z', '2026-03-31T23:00:00Z', ['2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31']],
    ['30 2 * * *', '2026-10-23T00:00:00Z', '2026-10-27T23:00:00Z', ['2026-10-23', '2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27']],
    ['0 7 * * *', '2026-10-23T00:00:00Z', '2026-10-27T23:00:00Z', ['2026-10-23', '2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27']],
    ['@daily', '2026-03-27T00:00:00Z', '2026-03-31T21:00:00Z', ['2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31']],
    ['@daily', '2027-10-29T00:00:00Z', '2027-11-02T21:00:00Z', ['2027-10-30', '2027-10-31', '2027-11-01', '2027-11-02']],
    ['0 2 * * *', '2027-03-26T00:00:00Z', '2027-03-30T23:00:00Z', ['2027-03-26', '2027-03-27', '2027-03-28', '2027-03-29', '2027-03-30']],
    ['0 2 * * *', '2027-10-28T23:00:00Z', '2027-11-02T23:00:00Z', ['2027-10-29', '2027-10-30', '2027-10-31', '2027-11-01', '2027-11-02']],
  ])('%s over (%s, %s]: exactly one slot per local day', (pattern, from, until, days) => {
    const slotDays = slotInstants(pattern, ROME, from, until).map((slot) => formatLocal(slot, ROME).slice(0, 10));
    expect(slotDays).toEqual(days);
  });

  it.each([
    ['0 * * * *', '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z'],
    ['0 * * * *', '2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z'],
    ['*/15 * * * *', '2027-10-30T00:00:00Z', '2027-11-01T00:00:00Z'],
  ])('%s over (%s, %s]: never twice at one instant or one reading, no local day without a slot', (pattern, from, until) => {
    const slots = slotInstants(pattern, ROME, from, until);
    const readings = slots.map((slot) => formatLocal(slot, ROME));
    expect(new Set(slots.map((slot) => slot.getTime())).size).toBe(slots.length);
    expect(new Set(readings).size).toBe(readings.length);
    expect(slots.every((slot, i) => i === 0 || slot > slots[i - 1]!)).toBe(true);
    const days = new Set(readings.map((reading) => reading.slice(0, 10)));
    expect(days.size).toBe(Math.round((at(until).getTime() - at(from).getTime()) / (24 * HOUR)) + 1);
  });
});

describe('slotsAt', () => {
  it.each([
    ['0 7 * * 1', '2026-06-08T05:00:00Z', '2026-06-08T04:59:59Z', { due: false }],
    ['0 7 * * 1', '2026-06-08T05:00:00Z', '2026-06-08T05:00:00Z', { due: true, missed: 0, following: at('2026-06-15T05:00:00Z') }],
    ['0 7 * * 1', '2026-06-08T05:00:00Z', '2026-06-08T05:00:30Z', { due: true, missed: 0, following: at('2026-06-15T05:00:00Z') }],
    // the machine was off for three weeks: one send, two slots missed (the third one, at now, counts as passed)
    ['0 7 * * 1', '2026-06-08T05:00:00Z', '2026-06-22T05:00:00Z', { due: true, missed: 2, following: at('2026-06-29T05:00:00Z') }],
    ['0 7 * * 1', '2026-06-08T05:00:00Z', '2026-06-22T04:59:00Z', { due: true, missed: 1, following: at('2026-06-22T05:00:00Z') }],
    // across the spring change, the filled slot counts once
    ['*/30 2 * * *', '2026-03-28T01:00:00Z', '2026-03-30T12:00:00Z', { due: true, missed: 4, following: at('2026-03-31T00:00:00Z') }],
    ['0 * * * *', '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z', { due: true, missed: 3, following: at('2026-10-25T04:00:00Z') }],
  ])('%s waiting for %s at %s', (pattern, next, now, expected) => {
    expect(slotsAt(pattern, ROME, at(next), at(now))).toEqual(expected);
  });

  it('stops counting at MISSED_SLOTS_CAP: every minute, off for a year', () => {
    const state = slotsAt('* * * * *', ROME, at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:30Z'));
    expect(state).toEqual({ due: true, missed: MISSED_SLOTS_CAP, following: at('2027-01-01T00:01:00Z') });
  });
});

describe('shortestGap', () => {
  it.each([
    ['0 * * * *', '2026-06-01T00:00:00Z', 8, HOUR],
    ['*/15 * * * *', '2026-06-01T00:00:00Z', 8, HOUR / 4],
    ['0 8-18/2 * * *', '2026-06-01T00:00:00Z', 8, 2 * HOUR],
    ['0 7 * * 1', '2026-06-01T00:00:00Z', 8, 7 * 24 * HOUR],
    ['0 9,12 * * *', '2026-06-01T00:00:00Z', 8, 3 * HOUR],
    // the night the clocks go forward is 23 hours long
    ['0 7 * * *', '2026-03-25T00:00:00Z', 8, 23 * HOUR],
    // no DST change makes an hourly pattern look faster than hourly
    ['0 * * * *', '2026-03-29T00:30:00Z', 8, HOUR],
    ['30 * * * *', '2026-03-28T23:45:00Z', 8, HOUR],
    ['0 * * * *', '2026-10-24T23:30:00Z', 8, HOUR],
    ['0 7 * * 1', '2026-06-01T00:00:00Z', 1, undefined],
  ])('%s after %s over %d slots → %s ms', (pattern, after, count, expected) => {
    expect(shortestGap(pattern, ROME, at(after), count)).toBe(expected);
  });

  it('looks at 8 slots by default', () => {
    // 07:00 on weekdays: only the 8th slot from a Monday morning reaches across a weekend's 72-hour gap, never shorter
    expect(shortestGap('0 7 * * 1-5', ROME, at('2026-06-01T00:00:00Z'))).toBe(24 * HOUR);
  });
});
