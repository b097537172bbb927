import { describe, expect, it } from 'vitest';
import { italianDuration, italianTime, tableTime } from '../../src/ui/local-time.js';

const ROME = 'Europe/Rome';

describe('tableTime: the wall clock in the city, YYYY-MM-DD HH:MM', () => {
  it.each([
    ['winter, CET (+1)', '2026-12-01T22:20:00.000Z', '2026-12-01 23:20'],
    ['summer, CEST (+2)', '2026-07-15T06:05:09.000Z', '2026-07-15 08:05'],
    ['across midnight into the next day', '2026-12-31T23:30:00.000Z', '2027-01-01 00:30'],
    // 29 March 2026: at 01:00 UTC the clocks go from 02:00 to 03:00
    ['29 March, the last minute of CET', '2026-03-29T00:59:00.000Z', '2026-03-29 01:59'],
    ['29 March, the first minute of CEST', '2026-03-29T01:00:00.000Z', '2026-03-29 03:00'],
    // 25 October 2026: at 01:00 UTC the clocks go back from 03:00 to 02:00, so 02:30 happens twice
    ['25 October, 02:30 the first time (CEST)', '2026-10-25T00:30:00.000Z', '2026-10-25 02:30'],
    ['25 October, 02:30 the second time (CET)', '2026-10-25T01:30:00.000Z', '2026-10-25 02:30'],
    ['25 October, after the change', '2026-10-25T02:00:00.000Z', '2026-10-25 03:00'],
  ])('%s', (_case, iso, shown) => {
    expect(tableTime(iso, ROME)).toBe(shown);
  });

  it('takes a Date as well as an ISO text, and another zone', () => {
    expect(tableTime(new Date('2026-12-01T22:20:00Z'), 'America/New_York')).toBe('2026-12-01 17:20');
  });

  it.each([
    // a sheet's 03/02/2026 is stored as local midnight: it is that day, not 2026-02-02 23:00
    ['a winter date', '2026-02-02T23:00:00.000Z', '2026-02-03'],
    ['a summer date', '2026-07-31T22:00:00.000Z', '2026-08-01'],
    ['29 March (midnight is still CET)', '2026-03-28T23:00:00.000Z', '2026-03-29'],
    ['25 October (midnight is still CEST)', '2026-10-24T22:00:00.000Z', '2026-10-25'],
  ])('a date-only consent (%s) is shown as its day', (_case, iso, shown) => {
    expect(tableTime(iso, ROME, { dateOnly: 'at-midnight' })).toBe(shown);
  });

  it('shows the time of a consent that is not exactly local midnight', () => {
    expect(tableTime('2026-02-02T23:00:01.000Z', ROME, { dateOnly: 'at-midnight' })).toBe('2026-02-03 00:00');
    expect(tableTime('2026-02-03T00:00:00.000Z', ROME, { dateOnly: 'at-midnight' })).toBe('2026-02-03 01:00');
    expect(tableTime('2026-02-02T23:00:00.000Z', ROME)).toBe('2026-02-03 00:00');
  });

  it('gives back what is not a time, and a time in an unknown zone, unchanged', () => {
    expect(tableTime('yesterday', ROME)).toBe('yesterday');
    expect(tableTime('2026-12-01T22:20:00.000Z', 'Mars/Olympus')).toBe('2026-12-01T22:20:00.000Z');
  });
});

describe('italianTime: the Italian way, for the HTML report', () => {
  it.each([
    ['2026-12-01T22:20:00.000Z', '1 dicembre 2026, 23:20'],
    ['2026-03-29T00:59:00.000Z', '29 marzo 2026, 01:59'],
    ['2026-03-29T01:00:00.000Z', '29 marzo 2026, 03:00'],
    ['2026-10-25T00:30:00.000Z', '25 ottobre 2026, 02:30'],
    ['2026-10-25T01:30:00.000Z', '25 ottobre 2026, 02:30'],
    ['2026-10-25T02:00:00.000Z', '25 ottobre 2026, 03:00'],
    ['2026-12-31T23:30:00.000Z', '1 gennaio 2027, 00:30'],
  ])('%s → %s', (iso, shown) => {
    expect(italianTime(iso, ROME)).toBe(shown);
  });

  it('writes a date-only value as its day', () => {
    expect(italianTime('2026-02-02T23:00:00.000Z', ROME, { dateOnly: 'at-midnight' })).toBe('3 febbraio 2026');
  });
});

describe('italianDuration', () => {
  it.each([
    [0, '0 s'],
    [45.4, '45 s'],
    [60, '1 min'],
    [252, '4 min 12 s'],
    [3600, '1 h'],
    [7500, '2 h 5 min'],
    [7199, '2 h'],
  ])('%s s → %s', (seconds, shown) => {
    expect(italianDuration(seconds)).toBe(shown);
  });
});
