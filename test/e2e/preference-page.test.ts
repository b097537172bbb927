import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { optOutFile } from '../../src/adapters/optout/optout-feed.js';
import { unsubscribeLinks } from '../../src/adapters/unsubscribe-links.js';
import { axeViolations, launchBrowser } from '../support/browser.js';
import { startWebhookServe, useTempHome } from '../support/cli.js';
import { untilApplied } from '../support/webhook-applied.js';

/**
 * The preference page (issue 19 item 5) as a citizen uses it: `webhook serve` through the built binary, the e-mail's
 * link opened in headless Chromium, one topic unticked and another ticked, saved; the server's applier then changes
 * the store, with the consent history saying where each change came from. axe-core checks the page (WCAG 2.1 AA),
 * and screenshots go to /tmp/prefs-*.png for a person to look at.
 */

const t = useTempHome();
let browser: Browser;
let server: ReturnType<typeof startWebhookServe>['server'] | undefined;
beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => browser.close());
afterEach(async () => {
  server?.child.kill('SIGTERM');
  await server?.done;
  server = undefined;
});

interface Shown {
  id: string;
  status: string;
  topics: string[];
  optedOutTopics?: string[];
  history?: Array<{ action: string; topic?: string; source: string }>;
}
const show = async (ref: string) => JSON.parse((await t.cli('subscribers', 'show', ref, '--json')).stdout) as Shown;

describe('the preference page in a real browser', () => {
  it('unticks one topic and ticks another, saves, and the store follows with its history; no accessibility violations', async () => {
    for (const [key, value] of [['city.name', 'Comune di Esempio'], ['publicUrl', 'https://avvisi.comune.example.it'], ['unsubscribeSecret', 'segreto-del-comune']]) {
      expect((await t.cli('config', 'set', key as string, value as string)).code).toBe(0);
    }
    expect((await t.cli('subscribers', 'add', '--email', 'maria@example.it', '--name', 'Maria Rossi', '--topics', 'cantieri,scuola', '--channel', 'email')).code).toBe(0);
    const { id } = await show('maria@example.it');
    const link = unsubscribeLinks('https://avvisi.comune.example.it', 'segreto-del-comune', { now: () => new Date() }).urlFor(id, 'cantieri') ?? '';
    const started = startWebhookServe({ home: t.home, cwd: t.dir });
    server = started.server;
    const url = `${await started.url}${new URL(link).pathname}`;

    const page = await browser.newPage({ viewport: { width: 800, height: 1100 } });
    await page.goto(url);
    expect(await page.title()).toBe('Le tue preferenze — Comune di Esempio');
    expect(await page.getByRole('checkbox', { name: /^Cantieri/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /^Scuola/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /^Eventi/ }).isChecked()).toBe(false);
    expect(await page.locator('body').innerText()).not.toMatch(/maria|Rossi/i);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/prefs-page.png', fullPage: true });

    await page.getByRole('checkbox', { name: /^Cantieri/ }).uncheck();
    await page.getByRole('checkbox', { name: /^Eventi/ }).check();
    // the keyboard reaches the button, and its focus is drawn
    await page.getByRole('button', { name: 'Salva le preferenze' }).focus();
    await page.screenshot({ path: '/tmp/prefs-changed.png', fullPage: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(url);
    await page.getByRole('heading', { name: 'Preferenze salvate' }).waitFor();
    expect(await page.getByRole('status').innerText()).toMatch(/Scuola\s+Eventi/);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/prefs-saved.png', fullPage: true });

    // the topic left is in the opt-out feed that running sends follow
    const feed = (await readFile(optOutFile(t.home), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    expect(feed).toContainEqual(expect.objectContaining({ sub: id, topic: 'cantieri' }));
    expect(feed).not.toContainEqual(expect.objectContaining({ sub: id, topic: 'scuola' }));
    await untilApplied(t.cli, 1);
    const after = await show(id);
    expect(after).toMatchObject({ status: 'active', topics: ['scuola', 'eventi'], optedOutTopics: ['cantieri'] });
    expect(after.history).toEqual([
      expect.objectContaining({ action: 'topic-left', topic: 'cantieri', source: 'email:preferences' }),
      expect.objectContaining({ action: 'topic-joined', topic: 'eventi', source: 'email:preferences' }),
    ]);

    // the page again shows the choice; leaving everything from it unsubscribes, from the link
    await page.goto(url);
    expect(await page.getByRole('checkbox', { name: /^Cantieri/ }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: /^Eventi/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Annulla l’iscrizione a tutto' }).click();
    await page.getByRole('heading', { name: 'Iscrizione annullata' }).waitFor();
    await untilApplied(t.cli, 2);
    expect(await show(id)).toMatchObject({ status: 'unsubscribed', history: [{}, {}, { action: 'unsubscribed', source: 'email:link' }] });
    await page.goto(url);
    expect(await page.locator('input[type=checkbox]:checked').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/prefs-unsubscribed.png', fullPage: true });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.screenshot({ path: '/tmp/prefs-phone.png', fullPage: true });
    await page.close();
    expect(server.stderr()).toMatch(/applied lines=/);
  }, 90_000);
});
