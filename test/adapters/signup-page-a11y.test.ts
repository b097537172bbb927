import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { formPage, whatsappCodePage, confirmSignupPage } from '../../src/adapters/http/signup-page.js';
import { DEFAULT_TOPICS } from '../../src/core/topic.js';
import { axeViolations, launchBrowser } from '../support/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => browser.close());

const base = { city: 'Comune di Prova', topics: DEFAULT_TOPICS, noticeUrl: 'https://comune.example.it/privacy', token: 'tok' };

describe('the sign-up pages in Chromium, checked by axe-core against WCAG 2.1 AA', () => {
  it.each([
    ['the empty form', formPage({ ...base, topic: 'cantieri' })],
    ['the form with its errors', formPage({ ...base, input: { nome: '', telefono: '06 1234 5678', email: 'x', argomenti: [], canale: 'whatsapp', consenso: '' }, errors: { telefono: 'Per WhatsApp serve un numero di cellulare.', email: 'Non valido.', argomenti: 'Scegli almeno un argomento.', consenso: 'Serve il consenso.' } })],
    ['the WhatsApp code page', whatsappCodePage('Comune di Prova', '4821', { link: 'https://wa.me/390612345678?text=CONFERMA%204821' })],
    ['the confirmation page', confirmSignupPage('Comune di Prova', ['Cantieri'])],
  ])('%s has no violations', async (_name, html) => {
    const page = await browser.newPage();
    await page.setContent(html);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);

  it('an error links to its field, and the honeypot cannot be reached with Tab', async () => {
    const page = await browser.newPage();
    await page.setContent(formPage({ ...base, input: { nome: '', telefono: '', email: '', argomenti: ['cantieri'], canale: 'whatsapp', consenso: 'si' }, errors: { telefono: 'Scrivi il numero.' } }));
    await page.click('.riepilogo a');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('f-telefono');
    const reached: string[] = [];
    for (let k = 0; k < 20; k++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id));
    }
    expect(reached).not.toContain('f-sito');
    await page.close();
  }, 60_000);
});
