import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPlanSettings } from '../../src/sending/plan-settings.js';
import { main } from '../../src/main.js';
import { fakeDeps } from '../support/fake-deps.js';
import { contextFor, newHome } from '../support/home.js';

let home: string;
beforeEach(async () => {
  home = await newHome();
});
afterEach(async () => {
  await rm(dirname(home), { recursive: true, force: true });
});

async function config(...argv: string[]) {
  const fake = fakeDeps({ home });
  const code = await main(['config', ...argv], fake.deps);
  return { code, stdout: fake.stdout.text, stderr: fake.stderr.text };
}

describe('price settings', () => {
  it.each([
    ['price.currency', 'EUR'],
    ['price.whatsapp.marketing', '0'],
    ['price.whatsapp.utility', '0'],
    ['price.whatsapp.authentication', '0'],
    ['price.whatsapp.service', '0'],
    ['price.email', '0'],
  ])('%s defaults to %s', async (key, value) => {
    expect(await config('get', key)).toMatchObject({ code: 0, stdout: `${value}\n` });
  });

  it.each([
    ['price.currency', 'chf', 'CHF'],
    ['price.whatsapp.marketing', '0.0691', '0.0691'],
    ['price.whatsapp.utility', '0.03', '0.03'],
    ['price.whatsapp.authentication', '0,0456', '0.0456'],
    ['price.whatsapp.service', '0', '0'],
    ['price.email', '.001', '0.001'],
  ])('set %s %s, then get %s', async (key, typed, stored) => {
    const set = await config('set', key, typed);
    expect(set, set.stderr).toMatchObject({ code: 0 });
    expect(set.stderr).toContain(`✓ ${key} = ${stored}`);
    expect(await config('get', key)).toMatchObject({ code: 0, stdout: `${stored}\n` });
  });

  it.each([
    ['price.whatsapp.utility', '-0.03', /price.whatsapp.utility: "-0.03" is not valid — expected a price per message: a decimal number, 0 or more/],
    ['price.whatsapp.marketing', 'gratis', /expected a price per message/],
    ['price.email', '0x10', /expected a price per message/],
    ['price.currency', 'euro', /price.currency: "euro" is not valid — expected a three-letter ISO 4217 currency code such as EUR/],
    ['price.currency', 'XYZ', /expected a three-letter ISO 4217 currency code/],
    ['price.whatsapp.sms', '0.1', /unknown setting "price.whatsapp.sms"/],
  ])('refuses %s %j', async (key, typed, message) => {
    const refused = await config('set', key, typed);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(message);
  });

  it('goes back to the default when set to ""', async () => {
    await config('set', 'price.whatsapp.utility', '0.03');
    await config('set', 'price.whatsapp.utility', '');
    expect((await config('get', 'price.whatsapp.utility')).stdout).toBe('0\n');
  });

  it('gives the plan its prices per channel and template category', async () => {
    await config('set', 'price.currency', 'CHF');
    await config('set', 'price.whatsapp.utility', '0.03');
    await config('set', 'price.whatsapp.marketing', '0.07');
    await config('set', 'price.whatsapp.service', '0.01');
    await config('set', 'price.email', '0.002');
    const { prices } = await readPlanSettings(contextFor(home).ctx);
    expect(prices.currency).toBe('CHF');
    expect(prices.whatsappTemplate('UTILITY')).toBe(0.03);
    expect(prices.whatsappTemplate('MARKETING')).toBe(0.07);
    expect(prices.whatsappTemplate('AUTHENTICATION')).toBe(0);
    expect(prices.whatsappText).toBe(0.01);
    expect(prices.email).toBe(0.002);
  });
});
