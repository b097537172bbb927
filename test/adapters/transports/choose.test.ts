import { describe, expect, it } from 'vitest';
import { chooseTransport } from '../../../src/adapters/transports/choose.js';
import type { ConfigValue } from '../../../src/core/config-keys.js';
import { resolveSettings } from '../../../src/core/settings.js';

const settings = (values: Record<string, ConfigValue>) => resolveSettings(values, {});
const whatsapp = { 'whatsapp.token': 't', 'whatsapp.phoneNumberId': '1' };
const email = { 'email.smtpUrl': 'smtp://h:25', 'email.from': 'a@b.it' };

describe('chooseTransport (DESIGN §3)', () => {
  it.each([
    ['whatsapp', {}, undefined, 'outbox', 'fallback'],
    ['whatsapp', whatsapp, undefined, 'cloud-api', 'credentials'],
    ['whatsapp', { ...whatsapp, 'whatsapp.transport': 'outbox' }, undefined, 'outbox', 'config'],
    ['whatsapp', { 'whatsapp.transport': 'outbox' }, 'cloud-api', undefined, undefined],
    ['whatsapp', whatsapp, 'outbox', 'outbox', 'flag'],
    ['email', {}, undefined, 'outbox', 'fallback'],
    ['email', { 'email.smtpUrl': 'smtp://h:25' }, undefined, 'outbox', 'fallback'],
    ['email', email, undefined, 'smtp', 'credentials'],
    ['email', email, 'outbox', 'outbox', 'flag'],
  ] as const)('%s with %j and --via %s → %s (%s)', (channel, values, via, name, why) => {
    if (name === undefined) {
      expect(() => chooseTransport(channel, settings(values), via)).toThrow(/cloud-api needs CANALE_WHATSAPP_TOKEN and CANALE_WHATSAPP_PHONE_NUMBER_ID/);
      return;
    }
    expect(chooseTransport(channel, settings(values), via)).toMatchObject({ channel, name, why });
  });

  it('warns, naming what is missing, when it falls back to the outbox', () => {
    expect(chooseTransport('email', settings({ 'email.smtpUrl': 'smtp://h:25' })).warning).toBe(
      'email: no CANALE_EMAIL_FROM set — messages go to the outbox (files in the home), nothing is sent',
    );
    expect(chooseTransport('email', settings(email)).warning).toBeUndefined();
  });

  it('refuses a transport of the other channel', () => {
    expect(() => chooseTransport('email', settings(email), 'cloud-api')).toThrow(/cloud-api cannot send e-mail messages — use smtp or outbox/);
  });
});
