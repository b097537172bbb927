import { describe, expect, it } from 'vitest';
import { checkConfigValue, redact } from '../../src/core/config-keys.js';

describe('checkConfigValue', () => {
  it.each([
    ['country', 'it', 'IT'],
    ['timezone', 'Europe/Rome', 'Europe/Rome'],
    ['whatsapp.rate', '40', 40],
    ['whatsapp.dailyLimit', '10000', 10000],
    ['send.maxAttempts', '3', 3],
    ['send.maxConsecutiveFailures', '200', 200],
    ['whatsapp.transport', 'outbox', 'outbox'],
    ['whatsapp.apiUrl', 'http://127.0.0.1:9999/', 'http://127.0.0.1:9999'],
    ['email.smtpUrl', 'smtps://u:p@mail.example.it:465', 'smtps://u:p@mail.example.it:465'],
  ])('%s %j → %j', (key, text, value) => {
    expect(checkConfigValue(key, text)).toBe(value);
  });

  it.each([
    ['country', 'Italia', /country: "Italia" is not valid — expected a two-letter country code/],
    ['timezone', 'Rome', /expected an IANA time zone/],
    ['whatsapp.rate', '-1', /expected a number greater than 0/],
    ['whatsapp.dailyLimit', '1000.5', /expected a whole number greater than 0/],
    ['send.maxAttempts', '0', /expected a whole number greater than 0/],
    ['whatsapp.transport', 'smtp', /expected one of cloud-api, outbox/],
    ['email.smtpUrl', 'http://x', /email.smtpUrl: \(hidden\) is not valid/],
    ['whatsapp.apiUrl', 'ftp://u:secret@x', /whatsapp.apiUrl: "ftp:\/\/u:\*{8}@x" is not valid — expected a https: or http: URL/],
    ['publicUrl', 'https//u:secret@x', /publicUrl: "https\/\/u:\*{8}@x" is not valid/],
    ['unsubscribe.tokenDays', '0', /expected a whole number greater than 0/],
    ['colour', 'red', /unknown setting "colour" — known settings: country, timezone/],
  ])('%s %j is refused', (key, text, message) => {
    expect(() => checkConfigValue(key, text)).toThrow(message);
    expect(() => checkConfigValue(key, text)).not.toThrow(/secret/);
  });
});

describe('redact', () => {
  it.each([
    ['whatsapp.token', 'EAAGabcdef123', '********'],
    ['email.smtpUrl', 'smtp://user:s3cret@mail.example.it:587', 'smtp://user:********@mail.example.it:587'],
    ['email.smtpUrl', 'smtp://mail.example.it:25', 'smtp://mail.example.it:25'],
    ['country', 'IT', 'IT'],
  ] as const)('%s %j → %j', (key, value, shown) => {
    const secret = key !== 'country';
    const text = redact({ key, value, source: 'config', secret });
    expect(text).toBe(shown);
    if (secret && shown.includes('*')) expect(text).not.toContain('s3cret');
  });
});

describe('whatsapp.number', () => {
  it('keeps a number written with its prefix in E.164, and refuses one without', async () => {
    const { CONFIG_KEYS } = await import('../../src/core/config-keys.js');
    const key = CONFIG_KEYS.find((k) => k.key === 'whatsapp.number');
    expect(key?.check('+39 06 1234 5678')).toBe('+390612345678');
    expect(key?.check('06 1234 5678')).toEqual({ expected: expect.stringContaining('international prefix') });
    expect(key?.check('+39 12')).toEqual({ expected: expect.stringContaining('international prefix') });
  });
});
