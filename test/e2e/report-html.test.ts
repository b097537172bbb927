import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphStandIn } from '../../src/adapters/sandbox/graph-stand-in.js';
import { SmtpSink } from '../../src/adapters/sandbox/smtp-sink.js';
import { SANDBOX_ACCOUNT, sandboxEnv } from '../../src/commands/sandbox.js';
import { CHROMIUM, chromium } from '../support/chromium.js';
import { runCli, useTempHome } from '../support/cli.js';
import { FakeClock } from '../support/fake-deps.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/messages/cantieri-via-nazionale.md', import.meta.url));
const ITALIAN_DATE = /\b\d{1,2} (?:gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre) \d{4}, \d\d:\d\d\b/;
const t = useTempHome();

/** What a reader sees: the DOM without the style sheet, the tags and the codes (which are meant to stay codes). */
function visibleText(dom: string): string {
  return dom
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<code>[^<]*<\/code>/g, '')
    .replace(/<\/?(?:strong|em|span|small)[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

describe.skipIf(!existsSync(CHROMIUM))('report --format html in a real browser', () => {
  it('is a page in Italian for the mayor’s office: city, topic label, message, URGENTE, local dates, reasons, throttling', async () => {
    // the first four WhatsApp requests are throttled (130429), then everything is accepted; one mailbox refuses
    let draws = 0;
    const graph = new GraphStandIn({ port: 0, ...SANDBOX_ACCOUNT, clock: new FakeClock(), throttleRate: 0.5, random: () => (draws++ < 4 ? 0 : 0.99) });
    const sink = new SmtpSink({ port: 0, dir: join(t.dir, 'mail'), clock: new FakeClock(), reject: ['rifiutata@example.it'] });
    const env = sandboxEnv(await graph.listen(), await sink.listen());
    closers.push(() => graph.close(), () => sink.close());
    const cli = (...args: string[]) => runCli(args, { home: t.home, cwd: t.dir, env });

    const rows = ['nome;telefono;email;canale;argomenti;data consenso'];
    for (let i = 0; i < 6; i++) rows.push(`Cittadino ${i};+39 333 ${1_000_000 + i};;whatsapp;cantieri;03/02/2026`);
    rows.push('Giulia;;giulia@example.it;email;cantieri;03/02/2026', 'Rifiutata;;rifiutata@example.it;email;cantieri;03/02/2026');
    await writeFile(join(t.dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
    expect((await cli('subscribers', 'import', 'iscritti.csv', '--yes')).code).toBe(0);
    expect((await cli('templates', 'sync')).code).toBe(0);
    expect((await cli('config', 'set', 'city.name', 'Comune di Esempio')).code).toBe(0);
    expect((await cli('topics', 'rename', 'cantieri', '--label', 'Cantieri e lavori stradali')).code).toBe(0);

    // the sheet's 03/02/2026 is that day in the list; JSON keeps the UTC instant of local midnight
    const list = await cli('subscribers', 'list', '--search', 'giulia');
    expect(list.stdout.split('\n')[1]).toMatch(/\tGiulia\t.*\tactive\t2026-02-03$/);
    expect(JSON.parse((await cli('subscribers', 'list', '--search', 'giulia', '--json')).stdout)[0].consent.at).toBe('2026-02-02T23:00:00.000Z');

    const sent = await cli('send', '--message', FIXTURE, '--urgent', '--allow-no-unsubscribe', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(3);
    const campaign = JSON.parse(sent.stdout.trim().split('\n').at(-1) as string).campaign as string;
    expect(JSON.parse((await cli('campaigns', 'show', campaign, '--json')).stdout).throttling.whatsapp).toMatchObject({ answers: 4 });

    const out = await cli('report', '--last', '--format', 'html', '--out', 'rapporto.html');
    expect(out.code, out.stderr).toBe(0);
    const file = join(t.dir, 'rapporto.html');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/<script|src=|href=|url\(|@import/i);

    const dom = await chromium(t.dir, '--dump-dom', `file://${file}`);
    const text = visibleText(dom);
    expect(text).toContain('Comune di Esempio');
    expect(text).toContain('Rapporto di invio — Lavori in via Nazionale dal 2 dicembre');
    expect(text).toContain('Cantieri e lavori stradali');
    expect(dom).toContain('modello WhatsApp <code>avviso_cantieri</code>');
    expect(text).toContain('URGENTE');
    expect(text).toMatch(/Stato concluso\./);
    expect(text).toMatch(new RegExp(`iniziato il ${ITALIAN_DATE.source}, finito il ${ITALIAN_DATE.source}`));
    expect(text).toContain('Destinatari 8 — WhatsApp tramite WhatsApp Cloud API; e-mail tramite server di posta (SMTP)');
    expect(text).toMatch(/Invio durato \d+ s, [\d,]+ messaggi al secondo in media; WhatsApp ha chiesto di rallentare 4 volte e canale ha ridotto la velocità (?:una volta|\d volte), fino a \d+ messaggi al secondo: nessun messaggio perso/);
    expect(text).toContain('L’e-mail non ha conferme di consegna né di lettura');
    expect(text).toContain('la casella di posta ha rifiutato il messaggio');
    expect(text).toContain('verificare l’indirizzo e-mail del cittadino');
    expect(dom).toContain('<code>SMTP_MAILBOX_REJECTED</code>');
    for (const word of ['completed', 'failed', 'sent', 'delivered', 'skipped', 'mailbox', 'urgent', 'campaign', 'status']) {
      expect(text).not.toMatch(new RegExp(`\\b${word}\\b`, 'i'));
    }
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d/);

    const png = join(t.dir, 'rapporto.png');
    await chromium(t.dir, `--screenshot=${png}`, '--window-size=900,1400', '--hide-scrollbars', `file://${file}`);
    const bytes = await readFile(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect((await stat(png)).size).toBeGreaterThan(20_000);
  });

  it('says in Italian why an interrupted send stopped and how to go on', async () => {
    const graph = new GraphStandIn({ port: 0, ...SANDBOX_ACCOUNT, clock: new FakeClock() });
    const sink = new SmtpSink({ port: 0, dir: join(t.dir, 'mail'), clock: new FakeClock() });
    const env = sandboxEnv(await graph.listen(), await sink.listen());
    closers.push(() => graph.close(), () => sink.close());
    const cli = (extra: Record<string, string>, ...args: string[]) => runCli(args, { home: t.home, cwd: t.dir, env: { ...env, ...extra } });
    expect((await cli({}, 'subscribers', 'add', '--phone', '333 100 0001', '--topics', 'cantieri')).code).toBe(0);
    expect((await cli({}, 'templates', 'sync')).code).toBe(0);
    const bad = await cli({ CANALE_WHATSAPP_TOKEN: 'scaduto' }, 'send', '--message', FIXTURE, '--urgent', '--yes');
    expect(bad.code).toBe(1);
    const campaign = /canale send --resume (cmp_\w+)/.exec(bad.stderr)?.[1] ?? '';
    expect(JSON.parse((await cli({}, 'campaigns', 'show', campaign, '--json')).stdout)).toMatchObject({ status: 'interrupted', stopCode: 'WHATSAPP_TOKEN_INVALID' });

    expect((await cli({}, 'report', campaign, '--format', 'html', '--out', 'fermo.html')).code).toBe(0);
    const dom = await chromium(t.dir, '--dump-dom', `file://${join(t.dir, 'fermo.html')}`);
    const text = visibleText(dom);
    expect(text).toContain('Stato interrotto: la chiave di accesso a WhatsApp è scaduta o è stata revocata.');
    expect(text).toContain(`Cosa fare: rinnovarla (canale config set whatsapp.token …), poi riprendere con «canale send --resume ${campaign}»`);
    expect(text).not.toMatch(/\b(?:interrupted|token was refused|access token)\b/i);
  });
});
