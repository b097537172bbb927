import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchBrowser } from '../support/browser.js';
import { runCli, startCli, useTempHome } from '../support/cli.js';
import { parseEml } from '../support/mime-decode.js';
import { freePort } from '../support/readme.js';
import { startSandbox, type Sandbox } from '../support/send-sandbox.js';
import { untilApplied } from '../support/webhook-applied.js';

/** Where the screenshots go, for a person to look at (the CI keeps nothing). */
const SHOTS = process.env.CANALE_SCREENSHOTS ?? '';

const t = useTempHome();
let browser: Browser;
let sandbox: Sandbox | undefined;
let server: ReturnType<typeof startCli> | undefined;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});
afterEach(async () => {
  server?.child.kill('SIGTERM');
  await server?.done;
  server = undefined;
  await sandbox?.graph.close();
  await sandbox?.sink.close();
  sandbox = undefined;
});

/** `webhook serve` on a port picked now, its public URL that address (the browser's origin), the sandbox behind it. */
async function serve(extra: Record<string, string> = {}): Promise<{ base: string; env: Record<string, string> }> {
  sandbox = await startSandbox(t.dir);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...sandbox.env, CANALE_PUBLIC_URL: base, CANALE_PRIVACY_NOTICE_URL: 'https://www.comune.example.it/privacy-avvisi', CANALE_WHATSAPP_NUMBER: '+39 06 1234 5678', ...extra };
  sandbox.webhooksTo(`${base}/webhooks/whatsapp`);
  server = startCli(['webhook', 'serve', '--port', String(port)], { home: t.home, cwd: t.dir, env });
  await new Promise<void>((resolve, reject) => {
    server?.child.stdout?.once('data', () => resolve());
    void server?.done.then((r) => reject(new Error(`webhook serve exited early: ${r.stderr}`)));
  });
  return { base, env };
}

const shot = async (page: Page, name: string) => {
  if (SHOTS !== '') await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
};

interface Shown {
  status: string;
  topics: string[];
  consent: { source: string; at: string; notice?: string };
  history?: Array<{ action: string; source: string }>;
}

describe('a citizen signs up on the web page, in a real browser', () => {
  it('fills in the form, gets the e-mail from the SMTP sink, opens its link and confirms: an active subscriber with the topics ticked', async () => {
    const { base, env } = await serve();
    const cli = (...args: string[]) => runCli(args, { home: t.home, cwd: t.dir, env });
    const page = await browser.newPage();
    await page.goto(`${base}/iscriviti?argomento=cantieri`);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'signup-form');
    await page.getByLabel('Nome e cognome (facoltativo)').fill('Anna Rossi');
    await page.getByLabel('E-mail', { exact: true }).check();
    await page.getByLabel('Indirizzo e-mail').fill('anna.rossi@example.it');
    await page.getByLabel(/^Scuola/).check();
    expect(await page.getByLabel(/^Cantieri/).isChecked()).toBe(true);
    await page.getByLabel(/Ho letto/).check();
    await page.getByRole('button', { name: 'Iscriviti' }).click();
    await page.getByRole('heading', { name: 'Controlla la tua e-mail' }).waitFor();
    await shot(page, 'signup-check-email');
    expect(await axeViolations(page)).toEqual([]);
    // pending: not a subscriber yet
    expect((await cli('subscribers', 'show', 'anna.rossi@example.it', '--json')).code).not.toBe(0);

    await sandbox?.whenAnswered(1);
    const received = sandbox?.sink.received[0];
    expect(received?.to).toEqual(['anna.rossi@example.it']);
    const eml = parseEml(await readFile(received?.file ?? '', 'utf8'));
    expect(eml.header('Subject')).toContain('Conferma l’iscrizione');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/iscriviti\/conferma\/\S+)/.exec(eml.text)?.[1] ?? '';
    expect(link).not.toBe('');
    await page.goto(link);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'signup-confirm');
    expect((await cli('subscribers', 'show', 'anna.rossi@example.it', '--json')).code).not.toBe(0);
    await page.getByRole('button', { name: 'Confermo l’iscrizione' }).click();
    await page.getByRole('heading', { name: 'Iscrizione confermata' }).waitFor();
    await shot(page, 'signup-done');

    await untilApplied(cli, 1);
    const shown = JSON.parse((await cli('subscribers', 'show', 'anna.rossi@example.it', '--json')).stdout) as Shown;
    expect(shown.status).toBe('active');
    expect([...shown.topics].sort()).toEqual(['cantieri', 'scuola']);
    expect(shown.consent.source).toMatch(/^web:iscriviti:sig_/);
    expect(shown.consent.notice).toBe('1');
    // the link used again: nothing more
    await page.goto(link);
    expect(await page.getByRole('heading', { name: 'Link scaduto' }).count()).toBe(1);
  });

  it('a WhatsApp sign-up is confirmed by sending CONFERMA and the code from that number, through the sandbox', async () => {
    const { base, env } = await serve();
    const cli = (...args: string[]) => runCli(args, { home: t.home, cwd: t.dir, env });
    const page = await browser.newPage();
    await page.goto(`${base}/iscriviti`);
    await page.getByLabel('WhatsApp', { exact: true }).check();
    await page.getByLabel('Numero di cellulare').fill('333 123 4567');
    await page.getByLabel(/^Mobilità/).check();
    await page.getByLabel(/Ho letto/).check();
    await page.getByRole('button', { name: 'Iscriviti' }).click();
    await page.getByRole('heading', { name: 'Conferma su WhatsApp' }).waitFor();
    await shot(page, 'signup-whatsapp-code');
    expect(await axeViolations(page)).toEqual([]);
    const href = (await page.getByRole('link', { name: /Apri WhatsApp/ }).getAttribute('href')) ?? '';
    const code = /^https:\/\/wa\.me\/390612345678\?text=CONFERMA%20(\d{4})$/.exec(href)?.[1];
    expect(code).toBeDefined();

    const inbound = (text: string) => fetch(`${env.CANALE_WHATSAPP_API_URL}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: '+39 333 123 4567', text }) });
    expect((await inbound(`CONFERMA ${code === '0000' ? '1111' : '0000'}`)).status).toBe(200);
    await untilApplied(cli, 1);
    expect((await cli('subscribers', 'show', '+393331234567', '--json')).code).not.toBe(0);
    expect((await inbound(`CONFERMA ${code}`)).status).toBe(200);
    await untilApplied(cli, 2);
    const shown = JSON.parse((await cli('subscribers', 'show', '+393331234567', '--json')).stdout) as Shown;
    expect(shown).toMatchObject({ status: 'active', topics: ['mobilita'] });
    expect(shown.consent.source).toMatch(/^web:iscriviti:sig_/);
  });
});
