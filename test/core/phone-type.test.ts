import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { isLandline, landlineWarning, toE164, type E164 } from '../../src/core/phone.js';

describe('landlines', () => {
  it.each([
    ['06 1234 5678', 'IT', true],
    ['02 1234567', 'IT', true],
    ['333 123 4567', 'IT', false],
    ['+41 44 668 18 00', 'IT', true],
    ['+41 79 123 45 67', 'IT', false],
    ['+1 212 555 0100', 'IT', false],
    ['+44 20 7946 0018', 'IT', true],
    ['044 668 18 00', 'CH', true],
    ['079 123 45 67', 'CH', false],
    ['800 123 456', 'IT', false],
  ])('%s (country %s) is a landline: %s, as getType() says', (text, country, landline) => {
    const phone = toE164(text, country) as E164;
    expect(isLandline(phone, country)).toBe(landline);
    expect(parsePhoneNumberFromString(phone)?.getType() === 'FIXED_LINE').toBe(landline);
  });

  it('is warned about only for WhatsApp', () => {
    const phone = toE164('06 1234 5678', 'IT') as E164;
    expect(landlineWarning({ phone, channel: 'whatsapp' }, 'IT')).toMatch(/^\+390612345678 is a landline \(fixed-line\) number: WhatsApp cannot reach it/);
    expect(landlineWarning({ phone, channel: 'email' }, 'IT')).toBeUndefined();
    expect(landlineWarning({ channel: 'whatsapp' }, 'IT')).toBeUndefined();
  });
});
