import { describe, expect, expectTypeOf, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/core/config-keys.js';
import { resolveSettings } from '../../src/core/settings.js';

describe('resolveSettings', () => {
  it('takes the environment over config.json over the default', () => {
    const settings = resolveSettings(
      { 'whatsapp.apiUrl': 'http://from-file', country: 'CH' },
      { CANALE_WHATSAPP_API_URL: 'http://from-env', CANALE_WHATSAPP_TOKEN: 'EAAG-secret' },
    );
    const given = (key: string) => settings.list().find((s) => s.key === key);
    expect(given('whatsapp.apiUrl')).toMatchObject({ value: 'http://from-env', source: 'env' });
    expect(given('country')).toMatchObject({ value: 'CH', source: 'config' });
    expect(given('timezone')).toMatchObject({ value: 'Europe/Rome', source: 'default' });
    expect(given('email.from')).toMatchObject({ value: undefined, source: 'unset' });
    expect(given('whatsapp.token')).toMatchObject({ value: 'EAAG-secret', secret: true });
    expect(settings.list().map((s) => s.key)).toEqual(CONFIG_KEYS.map((k) => k.key));
  });

  it('gives each key the value its check reads, typed by the table, with the fallback of the table', () => {
    const settings = resolveSettings({ 'whatsapp.rate': 40, 'whatsapp.transport': 'outbox' }, { CANALE_WHATSAPP_TIMEOUT_MS: '2500', CANALE_PUBLIC_URL: 'https://avvisi.example.it/' });
    expect(settings.get('whatsapp.rate')).toBe(40);
    expect(settings.get('whatsapp.timeoutMs')).toBe(2500);
    expect(settings.get('send.maxAttempts')).toBe(5);
    expect(settings.get('whatsapp.transport')).toBe('outbox');
    expect(settings.get('publicUrl')).toBe('https://avvisi.example.it');
    expect(settings.get('whatsapp.dailyLimit')).toBeUndefined();
    expectTypeOf(settings.get('send.maxAttempts')).toEqualTypeOf<number>();
    expectTypeOf(settings.get('whatsapp.dailyLimit')).toEqualTypeOf<number | undefined>();
    expectTypeOf(settings.get('whatsapp.transport')).toEqualTypeOf<'cloud-api' | 'outbox' | undefined>();
    expectTypeOf(settings.get('city.name')).toEqualTypeOf<string>();
  });

  it('counts an empty text as not set, and says which keys apply', () => {
    const settings = resolveSettings({ 'city.name': '' }, { CANALE_WHATSAPP_TOKEN: '' });
    expect(settings.has('whatsapp.token')).toBe(false);
    expect(settings.source('whatsapp.token')).toBe('unset');
    expect(settings.get('city.name')).toBe('Comune');
    expect(settings.source('city.name')).toBe('default');
    expect(settings.has('city.name')).toBe(true);
  });

  it('refuses an environment text that is not of its kind when the key is read, naming the variable, never a secret', () => {
    const settings = resolveSettings({}, { CANALE_WHATSAPP_TIMEOUT_MS: 'soon', CANALE_SMTP_URL: 'http://u:pw-secret@x' });
    expect(settings.has('whatsapp.timeoutMs')).toBe(true);
    expect(() => settings.get('whatsapp.timeoutMs')).toThrow(
      'whatsapp.timeoutMs: "soon" is not valid — expected a whole number greater than 0; it comes from CANALE_WHATSAPP_TIMEOUT_MS in the environment, which wins over config.json: fix or unset it there',
    );
    expect(() => settings.get('email.smtpUrl')).toThrow(/^email\.smtpUrl: \(hidden\) is not valid — expected a smtp: or smtps: URL; it comes from CANALE_SMTP_URL/);
    expect(() => settings.get('email.smtpUrl')).not.toThrow(/pw-secret/);
    expect(settings.get('whatsapp.rate')).toBe(80);
  });

  it('lays a flag over every other source, leaving the settings it came from as they were', () => {
    const settings = resolveSettings({ 'email.rate': 10 }, {});
    const flagged = settings.withOverride('email.rate', 2);
    expect(flagged.get('email.rate')).toBe(2);
    expect(flagged.source('email.rate')).toBe('flag');
    expect(settings.get('email.rate')).toBe(10);
    expect(flagged.get('whatsapp.rate')).toBe(80);
  });
});
