import { describe, expect, it } from 'vitest';
import { readConsentAnswer } from '../../src/core/consent-answer.js';
import { parseDateCell } from '../../src/core/date-cell.js';

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
