import fc from 'fast-check';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { plainE164 } from '../../src/core/phone-fast-path.js';
import { toE164 } from '../../src/core/phone.js';

/** What libphonenumber-js alone says: the E.164 form of a valid number, else undefined. */
function libraryE164(text: string, country: string): string | undefined {
  const parsed = parsePhoneNumberFromString(text, country as CountryCode);
  return parsed !== undefined && parsed.isValid() ? parsed.number : undefined;
}

// numbers as offices write them, and near misses: other countries, the Vatican's 06698, shared and special ranges
const PREFIXES = ['', '', '+39', '+39 ', '0039 ', '0039', '39', '+3', '+41 ', '+44', '00', '000', '0', '+', '+390', '0041 ', '+379'];
const LEADS = ['3', '33', '34', '32', '31', '39', '0', '06', '066', '06698', '02', '01', '08', '8', '80', '84', '89', '1', '4', '43', '55', '7', '9', ''];
const SEPARATORS = ['', '', '', ' ', '.', '-', '/', ' - ', '  '];

const spelled = fc
  .record({
    prefix: fc.constantFrom(...PREFIXES),
    lead: fc.constantFrom(...LEADS),
    groups: fc.array(fc.record({ separator: fc.constantFrom(...SEPARATORS), digits: fc.stringMatching(/^\d{1,5}$/) }), { minLength: 0, maxLength: 5 }),
  })
  .map(({ prefix, lead, groups }) => `${prefix}${lead}${groups.map((g) => `${g.separator}${g.digits}`).join('')}`);
const noise = fc.string({ unit: fc.constantFrom(...'0123456789 +-./()'), minLength: 1, maxLength: 20 });

describe('plainE164', () => {
  it.each([
    ['333 123 4567', '+393331234567'],
    ['+39 333-1234567', '+393331234567'],
    ['0039 3331234567', '+393331234567'],
    ['06 1234 5678', '+390612345678'],
    ['347/1234567', '+393471234567'],
  ])('reads %s as %s', (text, e164) => {
    expect(plainE164(text, 'IT')).toBe(e164);
  });

  it.each([
    ['+41 79 123 45 67', 'IT'],
    ['06698 12345', 'IT'],
    ['333 123 4567', 'FR'],
    ['(333) 123 4567', 'IT'],
    ['333\t1234567', 'IT'],
    ['123', 'IT'],
  ])('leaves %j (default %s) to the library', (text, country) => {
    expect(plainE164(text, country)).toBeUndefined();
  });

  it('answers exactly as libphonenumber-js whenever it answers', () => {
    fc.assert(
      fc.property(fc.oneof(spelled, noise), fc.constantFrom('IT', 'IT', 'CH', 'SM', 'VA', 'FR'), (text, country) => {
        const fast = plainE164(text, country);
        if (fast !== undefined) expect(fast).toBe(libraryE164(text, country));
      }),
      { numRuns: 20_000 },
    );
  });

  it('leaves toE164 as strict as the library alone', () => {
    fc.assert(
      fc.property(fc.oneof(spelled, noise), (text) => {
        const cleaned = text.trim().replace(/^\(\s*(\+?\d{1,4})\s*\)/, '$1');
        const expected = /^[\s\d+().\-/]+$/.test(text.trim()) ? libraryE164(cleaned, 'IT') : undefined;
        expect(toE164(text, 'IT')).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });
});
