import { describe, expect, it } from 'vitest';
import type { QuietHours } from '../../../src/core/schedule/quiet-hours.js';
import { formatQuietHours, parseQuietHours, quietEntry, quietState } from '../../../src/core/schedule/quiet-hours.js';

const ROME = 'Europe/Rome';
const at = (iso: string): Date => new Date(iso);
const hours = (start: string, end: string): QuietHours => {
  const [sh, sm] = start.split(':').map(Number);
  const [eh, em] = end.split(':').map(Number);
  return { start: { hour: sh!, minute: sm! }, end: { hour: eh!, minute: em! } };
};
/** "21:00–08:00" as the test tables write it. */
const window = (text: string): QuietHours => {
  const [start, end] = text.split('–');
  return hours(start!, end!);
};
const NIGHT = hours('21:00', '08:00');
const LUNCH = hours('13:00', '15:00');
const EXPECTED = 'expected HH:MM-HH:MM such as 21:00-08:00, or off';

describe('parseQuietHours', () => {
  it.each([
    ['21:00-08:00', NIGHT],
    ['21:00–08:00', NIGHT],
    [' 21:00 - 08:00 ', NIGHT],
    ['21:00 – 8:00', NIGHT],
    ['13:00-15:00', LUNCH],
    ['9:30-9:45', hours('09:30', '09:45')],
    ['00:00-23:59', hours('00:00', '23:59')],
  ])('%j', (text, expected) => {
    expect(parseQuietHours(text)).toEqual(expected);
  });

  it.each([['off'], ['OFF'], ['none'], [''], ['  ']])('%j → off', (text) => {
    expect(parseQuietHours(text)).toBe('off');
  });

  it.each([['21-8'], ['21:00'], ['24:00-08:00'], ['21:60-08:00'], ['21:00-08:00-09:00'], ['21.00-08.00'], ['9pm-8am'], ['21:00—08:00'], ['021:00-08:00']])('refuses %j', (text) => {
    expect(parseQuietHours(text)).toEqual({ error: EXPECTED });
  });

  it('refuses equal start and end', () => {
    expect(parseQuietHours('08:00-8:00')).toEqual({ error: `quiet hours cannot start and end at 08:00: ${EXPECTED}` });
  });
});

describe('formatQuietHours', () => {
  it.each([
    [NIGHT, '21:00–08:00'],
    [hours('9:05', '9:45'), '09:05–09:45'],
  ])('%j → %s', (q, text) => {
    expect(formatQuietHours(q)).toBe(text);
  });

  it('reads back what it writes', () => {
    expect(parseQuietHours(formatQuietHours(NIGHT))).toEqual(NIGHT);
  });
});

type State = ReturnType<typeof quietState>;
const quietUntil = (iso: string): State => ({ quiet: true, endsAt: at(iso) });
const loudUntil = (iso: string): State => ({ quiet: false, startsAt: at(iso) });

describe('quietState', () => {
  it.each([
    // 21:00–08:00 on an ordinary winter night (CET, +01:00)
    ['21:00–08:00', '2026-12-01T19:59:00Z', loudUntil('2026-12-01T20:00:00Z')],
    ['21:00–08:00', '2026-12-01T20:00:00Z', quietUntil('2026-12-02T07:00:00Z')],
    ['21:00–08:00', '2026-12-01T22:30:00Z', quietUntil('2026-12-02T07:00:00Z')],
    ['21:00–08:00', '2026-12-01T23:00:00Z', quietUntil('2026-12-02T07:00:00Z')],
    ['21:00–08:00', '2026-12-02T06:59:00Z', quietUntil('2026-12-02T07:00:00Z')],
    ['21:00–08:00', '2026-12-02T06:59:59.999Z', quietUntil('2026-12-02T07:00:00Z')],
    ['21:00–08:00', '2026-12-02T07:00:00Z', loudUntil('2026-12-02T20:00:00Z')],
    // a summer night (CEST, +02:00)
    ['21:00–08:00', '2026-07-01T18:59:00Z', loudUntil('2026-07-01T19:00:00Z')],
    ['21:00–08:00', '2026-07-01T22:00:00Z', quietUntil('2026-07-02T06:00:00Z')],
    // a daytime window
    ['13:00–15:00', '2026-12-01T11:59:00Z', loudUntil('2026-12-01T12:00:00Z')],
    ['13:00–15:00', '2026-12-01T12:00:00Z', quietUntil('2026-12-01T14:00:00Z')],
    ['13:00–15:00', '2026-12-01T13:59:00Z', quietUntil('2026-12-01T14:00:00Z')],
    ['13:00–15:00', '2026-12-01T14:00:00Z', loudUntil('2026-12-02T12:00:00Z')],
    ['13:00–15:00', '2026-12-01T22:00:00Z', loudUntil('2026-12-02T12:00:00Z')],
    // the clocks go forward: evening in CET, morning in CEST
    ['21:00–08:00', '2026-03-28T19:59:00Z', loudUntil('2026-03-28T20:00:00Z')],
    ['21:00–08:00', '2026-03-28T21:00:00Z', quietUntil('2026-03-29T06:00:00Z')],
    ['21:00–08:00', '2026-03-29T00:59:00Z', quietUntil('2026-03-29T06:00:00Z')],
    ['21:00–08:00', '2026-03-29T01:00:00Z', quietUntil('2026-03-29T06:00:00Z')],
    ['21:00–08:00', '2026-03-29T06:00:00Z', loudUntil('2026-03-29T19:00:00Z')],
    // the clocks go back: evening in CEST, morning in CET
    ['21:00–08:00', '2026-10-24T20:00:00Z', quietUntil('2026-10-25T07:00:00Z')],
    ['21:00–08:00', '2026-10-25T00:30:00Z', quietUntil('2026-10-25T07:00:00Z')],
    ['21:00–08:00', '2026-10-25T01:30:00Z', quietUntil('2026-10-25T07:00:00Z')],
    ['21:00–08:00', '2026-10-25T06:59:00Z', quietUntil('2026-10-25T07:00:00Z')],
    ['21:00–08:00', '2026-10-25T07:00:00Z', loudUntil('2026-10-25T20:00:00Z')],
    // 2027's changes
    ['21:00–08:00', '2027-03-27T21:00:00Z', quietUntil('2027-03-28T06:00:00Z')],
    ['21:00–08:00', '2027-10-30T21:00:00Z', quietUntil('2027-10-31T07:00:00Z')],
    // start 02:30 does not exist on 2026-03-29: quiet from when the clocks jump to 03:00 CEST (01:00Z)
    ['02:30–05:00', '2026-03-29T00:59:00Z', loudUntil('2026-03-29T01:00:00Z')],
    ['02:30–05:00', '2026-03-29T01:00:00Z', quietUntil('2026-03-29T03:00:00Z')],
    ['02:30–05:00', '2026-03-29T03:00:00Z', loudUntil('2026-03-30T00:30:00Z')],
    // start 02:30 happens twice on 2026-10-25: quiet from the first (CEST, 00:30Z) to 05:00 CET (04:00Z)
    ['02:30–05:00', '2026-10-25T00:29:00Z', loudUntil('2026-10-25T00:30:00Z')],
    ['02:30–05:00', '2026-10-25T00:30:00Z', quietUntil('2026-10-25T04:00:00Z')],
    ['02:30–05:00', '2026-10-25T01:15:00Z', quietUntil('2026-10-25T04:00:00Z')],
    ['02:30–05:00', '2026-10-25T04:00:00Z', loudUntil('2026-10-26T01:30:00Z')],
    // end 02:30 does not exist on 2026-03-29: quiet until the clocks jump past it
    ['22:00–02:30', '2026-03-28T23:30:00Z', quietUntil('2026-03-29T01:00:00Z')],
    ['22:00–02:30', '2026-03-29T01:00:00Z', loudUntil('2026-03-29T20:00:00Z')],
    // end 02:30 happens twice on 2026-10-25: quiet ends at the first, and the second 02:00–02:30 is not quiet again
    ['22:00–02:30', '2026-10-25T00:29:00Z', quietUntil('2026-10-25T00:30:00Z')],
    ['22:00–02:30', '2026-10-25T00:30:00Z', loudUntil('2026-10-25T21:00:00Z')],
    ['22:00–02:30', '2026-10-25T01:15:00Z', loudUntil('2026-10-25T21:00:00Z')],
    // both boundaries skipped: no quiet hours that night at all
    ['02:10–02:40', '2026-03-29T00:30:00Z', loudUntil('2026-03-30T00:10:00Z')],
    ['02:10–02:40', '2026-03-29T01:00:00Z', loudUntil('2026-03-30T00:10:00Z')],
  ])('%s at %s', (text, iso, expected) => {
    expect(quietState(window(text), ROME, at(iso))).toEqual(expected);
  });

  it('reads the window in the zone given', () => {
    expect(quietState(NIGHT, 'America/New_York', at('2026-12-02T02:00:00Z'))).toEqual(quietUntil('2026-12-02T13:00:00Z'));
  });
});

describe('quietEntry', () => {
  it.each([
    // a send from 19:00 to 20:30 local stays outside 21:00–08:00
    ['21:00–08:00', '2026-12-01T18:00:00Z', '2026-12-01T19:30:00Z', undefined],
    // [from, until): ending exactly at 21:00 does not enter
    ['21:00–08:00', '2026-12-01T18:00:00Z', '2026-12-01T20:00:00Z', undefined],
    ['21:00–08:00', '2026-12-01T18:00:00Z', '2026-12-01T20:00:00.001Z', '2026-12-01T20:00:00.000Z'],
    ['21:00–08:00', '2026-12-01T22:00:00Z', '2026-12-01T23:00:00Z', '2026-12-01T22:00:00.000Z'],
    ['21:00–08:00', '2026-12-02T07:00:00Z', '2026-12-02T19:00:00Z', undefined],
    ['13:00–15:00', '2026-12-01T08:00:00Z', '2026-12-01T16:00:00Z', '2026-12-01T12:00:00.000Z'],
    ['02:30–05:00', '2026-03-28T23:00:00Z', '2026-03-29T02:00:00Z', '2026-03-29T01:00:00.000Z'],
    // an empty span enters nothing
    ['21:00–08:00', '2026-12-01T22:00:00Z', '2026-12-01T22:00:00Z', undefined],
  ])('%s over [%s, %s) → %s', (text, from, until, expected) => {
    expect(quietEntry(window(text), ROME, at(from), at(until))?.toISOString()).toBe(expected);
  });
});
