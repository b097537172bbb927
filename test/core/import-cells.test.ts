import { describe, expect, it } from 'vitest';
import { readConsentAnswer } from '../../src/core/import/consent-answer.js';
import { dateOrderOf, parseDateCell } from '../../src/core/date-cell.js';
import { DateColumn } from '../../src/core/import/date-column.js';

describe('consent cells', () => {
  it.each(['sì', 'Si', 'SÌ', 'yes', 'Y', 'true', 'VERO', '1', 'x', 'X', 'ok', 'Acconsento', 'Acconsento al trattamento dei dati personali', 'Sì, acconsento', 'I agree', 'Accetto.', ' consenso dato '])(
    '%j is consent',
    (text) => {
      expect(readConsentAnswer(text)).toEqual({ given: true });
    },
  );

  it.each([
    ['no', 'the citizen did not give consent'],
    ['NO', 'the citizen did not give consent'],
    ['false', 'the citizen did not give consent'],
    ['0', 'the citizen did not give consent'],
    ['nessuno', 'the citizen did not give consent'],
    ['Non acconsento', 'the citizen did not give consent'],
    ['No, grazie', 'the citizen did not give consent'],
    ['', 'the consent cell is empty: without consent the citizen cannot be imported'],
    ['   ', 'the consent cell is empty: without consent the citizen cannot be imported'],
    ['forse', 'consent not understood — write sì/yes or no'],
    ['2026-01-01', 'consent not understood — write sì/yes or no'],
  ])('%j is not consent: %s', (text, reason) => {
    expect(readConsentAnswer(text)).toEqual({ given: false, reason });
  });
});

describe('date cells', () => {
  it.each([
    // Rome is UTC+1 in winter and UTC+2 in summer
    ['28/11/2026', '2026-11-27T23:00:00.000Z'],
    ['28/11/2026 10:31:05', '2026-11-28T09:31:05.000Z'],
    ['28/11/2026 10.31.05', '2026-11-28T09:31:05.000Z'],
    ['28/11/2026 10:31', '2026-11-28T09:31:00.000Z'],
    ['1/7/2026 8:00:00', '2026-07-01T06:00:00.000Z'],
    ['28-11-26', '2026-11-27T23:00:00.000Z'],
    ['28.11.2026', '2026-11-27T23:00:00.000Z'],
    ['2026-11-28', '2026-11-27T23:00:00.000Z'],
    ['2026-07-01 12:00', '2026-07-01T10:00:00.000Z'],
    ['2026-11-28T10:31:05+0100', '2026-11-28T09:31:05.000Z'],
    ['2026-11-28T10:31:05', '2026-11-28T09:31:05.000Z'],
    // ISO instants are kept as written, so an export reads back byte for byte
    ['2026-11-28T10:31:05.123Z', '2026-11-28T10:31:05.123Z'],
    ['2026-11-28T10:31:05+01:00', '2026-11-28T10:31:05+01:00'],
    ['29/02/2028', '2028-02-28T23:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseDateCell(text, 'Europe/Rome')).toBe(iso);
  });

  it.each([
    // Google Forms' own CSV download: year first, 12-hour clock, the zone as Google names it (its text wins)
    ['2026/11/20 9:14:03 AM GMT+1', '2026-11-20T08:14:03.000Z'],
    ['2026/11/20 2:05:47 PM GMT+01:00', '2026-11-20T13:05:47.000Z'],
    ['2026/07/01 6:30:00 PM GMT+2', '2026-07-01T16:30:00.000Z'],
    ['2026/11/21 12:00:00 AM GMT+1', '2026-11-20T23:00:00.000Z'],
    ['2026/11/21 12:30:00 PM GMT+1', '2026-11-21T11:30:00.000Z'],
    ['2026/11/20 9:14:03 AM CET', '2026-11-20T08:14:03.000Z'],
    ['2026/07/01 6:30:00 PM CEST', '2026-07-01T16:30:00.000Z'],
    ['2026-11-22 08:00:00 CET', '2026-11-22T07:00:00.000Z'],
    ['2026/11/20 9:14:03 AM GMT-5', '2026-11-20T14:14:03.000Z'],
    ['2026/11/20 9:14:03 am UTC', '2026-11-20T09:14:03.000Z'],
    ['20/11/2026 9:14:03 GMT', '2026-11-20T09:14:03.000Z'],
    // a zone in the text wins over the configured one, even far from Rome
    ['2026/11/20 9:14:03 AM EST', '2026-11-20T14:14:03.000Z'],
    // Sheets downloads: the Italian locale's `9.14.03`, day first with slashes or dashes, the US locale's month first
    ['20/11/2026 9.14.03', '2026-11-20T08:14:03.000Z'],
    ['20-11-2026 9:14:03', '2026-11-20T08:14:03.000Z'],
    ['11/20/2026 14:14:03', '2026-11-20T13:14:03.000Z'],
    ['11/20/2026 2:14:03 PM', '2026-11-20T13:14:03.000Z'],
  ])('a Google timestamp %s → %s', (text, iso) => {
    expect(parseDateCell(text, 'Europe/Rome')).toBe(iso);
  });

  it('stores a date without a time as midnight in the city, so it is shown as that very day there', () => {
    const at = parseDateCell('03/02/2026', 'Europe/Rome') as string;
    expect(at).toBe('2026-02-02T23:00:00.000Z');
    const shown = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(at));
    expect(shown).toBe('3 febbraio 2026');
    expect(parseDateCell('03/02/2026', 'America/New_York')).toBe('2026-02-03T05:00:00.000Z');
  });

  it('reads wall-clock times in the given zone', () => {
    expect(parseDateCell('28/11/2026 10:00', 'UTC')).toBe('2026-11-28T10:00:00.000Z');
    expect(parseDateCell('28/11/2026 10:00', 'America/New_York')).toBe('2026-11-28T15:00:00.000Z');
  });

  it.each(['31/02/2026', '29/02/2026', '13/13/2026', '28/11/2026 25:00', 'ieri', '2026-13-01', '28/13/2026', '2026/11/20 9:14:03 AM XYZ', '2026/11/20 13:14:03 PM', '', '28/11', '01/01/1066'])(
    '%j is not a date',
    (text) => {
      expect(parseDateCell(text, 'Europe/Rome')).toBeUndefined();
    },
  );
});

describe('a date column read in the order it shows', () => {
  it('reads day first, as in Italy, until a cell shows otherwise; a column shown day first stays so', () => {
    const column = new DateColumn('Europe/Rome');
    expect(column.read('03/02/2026', 2)).toBe('2026-02-02T23:00:00.000Z');
    expect(column.read('20/11/2026 9.14.03', 3)).toBe('2026-11-20T08:14:03.000Z');
    expect(column.read('04/02/2026', 4)).toBe('2026-02-03T23:00:00.000Z');
    expect(column.fixes().size).toBe(0);
  });

  it('a US spreadsheet: once a cell can only be month first, the ambiguous rows read before are put right', () => {
    const column = new DateColumn('Europe/Rome');
    expect(column.read('3/2/2026 9:14:03', 2)).toBe('2026-02-03T08:14:03.000Z');
    expect(column.read('11/20/2026 14:14:03', 3)).toBe('2026-11-20T13:14:03.000Z');
    expect(column.read('4/2/2026 9:00:00', 4)).toBe('2026-04-02T07:00:00.000Z');
    expect([...column.fixes()]).toEqual([[2, '2026-03-02T08:14:03.000Z']]);
  });

  it('year-first and ISO cells say nothing about the order', () => {
    const column = new DateColumn('Europe/Rome');
    expect(column.read('2026/11/20 9:14:03 AM CET', 2)).toBe('2026-11-20T08:14:03.000Z');
    expect(column.read('2026-11-28T10:31:05.123Z', 3)).toBe('2026-11-28T10:31:05.123Z');
    expect(column.read('03/02/2026', 4)).toBe('2026-02-02T23:00:00.000Z');
    expect(dateOrderOf('2026/11/20')).toBeUndefined();
    expect(dateOrderOf('05/05/2026')).toBeUndefined();
  });
});
