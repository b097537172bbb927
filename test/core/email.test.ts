import { describe, expect, it } from 'vitest';
import { normalizeEmail, toEmail } from '../../src/core/email.js';

describe('toEmail', () => {
  it.each([
    ['maria.rossi@example.it', 'maria.rossi@example.it'],
    ['  Maria.Rossi@Example.IT ', 'Maria.Rossi@example.it'],
    ['mailto:luca@comune.roma.it', 'luca@comune.roma.it'],
    ['a+tag@sub.example.org', 'a+tag@sub.example.org'],
    ["o'neil@example.com", "o'neil@example.com"],
    ['niccolò@università.it', 'niccolò@università.it'],
  ])('%j → %s', (text, email) => {
    expect(toEmail(text)).toBe(email);
  });

  it.each([
    ['maria.rossi'],
    ['@example.it'],
    ['maria@'],
    ['maria@example'],
    ['maria@@example.it'],
    ['maria rossi@example.it'],
    ['maria@exa mple.it'],
    ['.maria@example.it'],
    ['ma..ria@example.it'],
    ['maria@-example.it'],
    ['"maria"@example.it'],
    [`${'a'.repeat(65)}@example.it`],
  ])('refuses %j', (text) => {
    expect(toEmail(text)).toBeUndefined();
  });

  it('quotes the value it refuses', () => {
    expect(() => normalizeEmail('maria@')).toThrow(/"maria@" is not a valid e-mail address/);
  });
});
