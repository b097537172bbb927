import { describe, expect, it } from 'vitest';
import { looksLikePhone, normalizePhone, toE164 } from '../../src/core/phone.js';

describe('toE164', () => {
  it.each([
    ['333 123 4567', '+393331234567'],
    ['3331234567', '+393331234567'],
    ['+39 333-1234567', '+393331234567'],
    ['0039 3331234567', '+393331234567'],
    ['(+39) 333.123.4567', '+393331234567'],
    ['(0039) 333 1234567', '+393331234567'],
    ['+39 (333) 123 4567', '+393331234567'],
    ['  347/1234567 ', '+393471234567'],
    ['06 1234 5678', '+390612345678'],
    ['02-12345678', '+390212345678'],
    ['+41 79 123 45 67', '+41791234567'],
    ['+44 7911 123456', '+447911123456'],
  ])('%s → %s', (text, e164) => {
    expect(toE164(text, 'IT')).toBe(e164);
  });

  it.each([['abc'], [''], ['123'], ['333 123 4567 8901 2345'], ['+39 333'], ['mario@example.it'], ['333-CALL-NOW'], ['+00 123 456 789']])(
    'refuses %j',
    (text) => {
      expect(toE164(text, 'IT')).toBeUndefined();
    },
  );

  it('uses the default country for numbers without a prefix', () => {
    expect(toE164('079 123 45 67', 'CH')).toBe('+41791234567');
  });
});

describe('normalizePhone', () => {
  it('quotes the value it refuses', () => {
    expect(() => normalizePhone('33x 12', 'IT')).toThrow(/"33x 12" is not a valid phone number/);
  });
});

describe('looksLikePhone', () => {
  it.each([
    ['333 123 4567', true],
    ['+39 333', true],
    ['sub_0001', false],
    ['m@example.it', false],
  ])('%s → %s', (text, expected) => {
    expect(looksLikePhone(text)).toBe(expected);
  });
});
