import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useSandbox } from '../commands/sandbox-fixture.js';
import { CHROMIUM, chromium } from '../support/chromium.js';
import { runCli, useTempHome } from '../support/cli.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/messages/cantieri-via-nazionale.md', import.meta.url));
const t = useTempHome();
// the fixture sends WhatsApp with the sandbox's avviso_cantieri, so its templates must be synced first
const sandbox = useSandbox();


describe.skipIf(!existsSync(CHROMIUM))('preview --html in a real browser', () => {
  it('renders the e-mail with its text and unsubscribe link, and takes a screenshot', async () => {
    const env = { ...sandbox.env, CANALE_PUBLIC_URL: 'https://canale.comune.example.it', CANALE_UNSUBSCRIBE_SECRET: 'e2e-secret' };
    const cli = (...args: string[]) => runCli(args, { home: t.home, cwd: t.dir, env });
    expect((await cli('templates', 'sync')).code).toBe(0);
    await cli('config', 'set', 'city.name', 'Comune di Esempio');
    await cli('subscribers', 'add', '--email', 'giulia@example.it', '--name', 'Giulia <Bianchi>', '--topics', 'cantieri');
    const html = join(t.dir, 'anteprima.html');
    const preview = await cli('preview', FIXTURE, '--to', 'giulia@example.it', '--html', html);
    expect(preview.code).toBe(0);
    expect((await readFile(html, 'utf8')).length).toBeGreaterThan(500);

    const dom = await chromium(t.dir, '--dump-dom', `file://${html}`);
    expect(dom).toContain('Comune di Esempio');
    expect(dom).toContain('Ciao Giulia &lt;Bianchi&gt;');
    expect(dom).toContain('<strong>2 dicembre</strong>');
    expect(dom).toMatch(/<a href="https:\/\/canale\.comune\.example\.it\/u\/[\w-]+\.[\w-]+"[^>]*>Cambia argomenti o annulla l'iscrizione<\/a>/);
    expect(dom).not.toContain('<script');

    const png = join(t.dir, 'anteprima.png');
    await chromium(t.dir, `--screenshot=${png}`, '--window-size=800,1000', '--hide-scrollbars', `file://${html}`);
    const bytes = await readFile(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect((await stat(png)).size).toBeGreaterThan(10_000);
  });
});
