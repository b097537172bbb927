import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from './chromium.js';

const require = createRequire(import.meta.url);

/**
 * Debian's Chromium driven over CDP by playwright-core (no browser download): headless, no sandbox (root), no GPU,
 * no background traffic. The tests that fill in and look at pages people use start one per file.
 */
export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
}

/** What axe-core finds wrong on a page, against WCAG 2.0/2.1 A and AA: each rule's id, impact and the elements. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly string[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core (from node_modules) with the WCAG 2.1 AA rules; [] is a clean page. It is evaluated over CDP rather
 * than added as a script tag: canale's pages forbid every script (Content-Security-Policy), as they should.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
