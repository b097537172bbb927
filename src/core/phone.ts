import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { CanaleError } from './errors.js';
import { isPlainFixedLine, plainE164 } from './phone-fast-path.js';

/** A phone number in E.164 form: `+393331234567`. */
export type E164 = string & { readonly __brand: 'E164' };

const PHONE_CHARS = /^[\s\d+().\-/]+$/;

/**
 * Normalises a phone number as an Italian office writes it — `333 123 4567`, `+39 333-1234567`,
 * `0039 3331234567`, `(+39) 333.123.4567`, `06 1234 5678` — to E.164, or returns undefined when the text is not a
 * valid number for `country` (or for the country its prefix names).
 */
export function toE164(text: string, country: string): E164 | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || !PHONE_CHARS.test(trimmed)) return undefined;
  // "(+39) 333…" — a bracketed country code is common on Italian forms; the parser wants it bare.
  const cleaned = trimmed.replace(/^\(\s*(\+?\d{1,4})\s*\)/, '$1');
  const upper = country.toUpperCase();
  const plain = plainE164(cleaned, upper);
  if (plain !== undefined) return plain as E164;
  const parsed = parsePhoneNumberFromString(cleaned, upper as CountryCode);
  if (parsed === undefined || !parsed.isValid()) return undefined;
  return parsed.number as E164;
}

/** As `toE164`, but a value that is not a phone number is a user error that quotes it. */
export function normalizePhone(text: string, country: string): E164 {
  const phone = toE164(text, country);
  if (phone === undefined) {
    throw new CanaleError(
      'PHONE_INVALID',
      `"${text}" is not a valid phone number (default country ${country.toUpperCase()}) — write it like 333 123 4567 or +39 333 123 4567`,
    );
  }
  return phone;
}

/** True when the text is written like a phone number (digits, spaces, + - . ( ) /), whatever its validity. */
export function looksLikePhone(text: string): boolean {
  return PHONE_CHARS.test(text.trim()) && /\d{3}/.test(text.replace(/\D/g, ''));
}

/**
 * True when the number is a landline (libphonenumber-js's type FIXED_LINE): WhatsApp cannot reach it. A number
 * that may be either (FIXED_LINE_OR_MOBILE) or whose type is unknown is not a landline. Fast for the default
 * `country`'s numbers, as an import checks a million of them.
 */
export function isLandline(phone: E164, country: string): boolean {
  const fast = isPlainFixedLine(phone, country.toUpperCase());
  if (fast !== undefined) return fast;
  return parsePhoneNumberFromString(phone)?.getType() === 'FIXED_LINE';
}

/** Why an imported row with a landline for WhatsApp is warned about (the row's value is shown beside it). */
export const LANDLINE_WARNING = 'a landline (fixed-line) number: WhatsApp cannot reach it — give a mobile number, or choose e-mail';

/** The warning `add` and `update` print when a citizen would be reached on WhatsApp at a landline; undefined if not. */
export function landlineWarning(subscriber: { readonly phone?: E164; readonly channel: string }, country: string): string | undefined {
  if (subscriber.channel !== 'whatsapp' || subscriber.phone === undefined || !isLandline(subscriber.phone, country)) return undefined;
  return `${subscriber.phone} is a landline (fixed-line) number: WhatsApp cannot reach it — give a mobile number with --phone, or --channel email with --email`;
}

/** A number written with its international prefix (`+39 06 1234 5678`) in E.164, or undefined (no `+`, not valid). */
export function fromInternational(text: string): E164 | undefined {
  const parsed = text.trim().startsWith('+') ? parsePhoneNumberFromString(text.trim()) : undefined;
  return parsed?.isValid() === true ? (parsed.number as E164) : undefined;
}

/** True when the number is a mobile one (or may be: FIXED_LINE_OR_MOBILE), as a WhatsApp sign-up needs. */
export function isMobile(phone: E164): boolean {
  const type = parsePhoneNumberFromString(phone)?.getType();
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

/** The number as people read and dial it from abroad and at home alike: `+390612345678` → `+39 06 1234 5678`. */
export function internationalFormat(phone: E164): string {
  return parsePhoneNumberFromString(phone)?.formatInternational() ?? phone;
}
