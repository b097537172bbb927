import { headerKey } from './column-mapping.js';

/** What a consent cell says: given, or not (refused, empty or not understood), with the reason shown. */
export type ConsentAnswer = { readonly given: true } | { readonly given: false; readonly reason: string };

const YES = new Set([
  'si', 's', 'yes', 'y', 'true', 'vero', '1', 'x', 'ok', 'on', 'checked', 'selezionato',
  'acconsento', 'accetto', 'consento', 'autorizzo', 'agree', 'i agree', 'accept', 'accepted', 'consent', 'consenso',
  'consenso dato', 'consenso prestato', 'do il consenso', 'presto il consenso', 'given',
]);

const NO = new Set([
  'no', 'n', 'false', 'falso', '0', 'off', 'nessuno', 'nessun consenso', 'negato', 'rifiutato', 'revocato',
  'non acconsento', 'non accetto', 'non autorizzo', 'none', 'not given', 'denied', 'refused', 'declined',
]);

/** Leading words that make a longer form answer a yes: "Acconsento al trattamento dei dati personali". */
const YES_START = /^(?:si|yes|acconsento|accetto|consento|autorizzo|i agree|agree|i consent|do il consenso|presto il consenso)\b/;
const NO_START = /^(?:no|non|not|nessun|nego|rifiuto|i do not|i don t)\b/;

/**
 * Reads a consent cell, in Italian or English, ignoring case, accents and punctuation. Yes: sì, yes, true, 1, x,
 * "Acconsento al trattamento…". No: no, false, 0, nessuno, "Non acconsento…". An empty cell is no consent, and
 * anything else is not taken as consent either: a wrong guess would message someone who never agreed.
 */
export function readConsentAnswer(text: string): ConsentAnswer {
  const key = headerKey(text);
  if (key === '') return { given: false, reason: 'the consent cell is empty: without consent the citizen cannot be imported' };
  if (NO.has(key) || NO_START.test(key)) return { given: false, reason: 'the citizen did not give consent' };
  if (YES.has(key) || YES_START.test(key)) return { given: true };
  return { given: false, reason: 'consent not understood — write sì/yes or no' };
}
