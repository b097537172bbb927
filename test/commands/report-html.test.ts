import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pacingSentence, reportHtml, type ReportPage } from '../../src/commands/report/report-html.js';
import { FAILURE_IT, SKIP_IT } from '../../src/commands/report/report-italian.js';
import { SKIP_REASONS } from '../../src/core/audience.js';
import type { Campaign, CampaignId } from '../../src/core/campaign.js';
import type { CampaignReport } from '../../src/core/report.js';

const zero = { targeted: 0, sent: 0, delivered: 0, read: 0, failed: 0, unknown: 0, skipped: 0 };
const report: CampaignReport = {
  campaign: 'cmp_1',
  status: 'completed',
  counts: { targeted: 1300, sent: 1250, delivered: 900, read: 300, failed: 40, unknown: 0, skipped: 10 },
  byChannel: {
    whatsapp: { targeted: 1000, sent: 950, delivered: 900, read: 300, failed: 40, unknown: 0, skipped: 10 },
    email: { targeted: 300, sent: 300, delivered: 0, read: 0, failed: 0, unknown: 0, skipped: 0 },
  },
  failures: [
    { code: 'WHATSAPP_UNDELIVERABLE', reason: 'the number cannot receive this message', count: 39 },
    { code: 'X<1>', reason: 'a <b>reason</b> from the provider', count: 1 },
  ],
  skipped: [{ reason: 'opted-out', label: SKIP_REASONS['opted-out'], count: 10 }],
  startedAt: '2026-12-01T22:20:00.000Z',
  finishedAt: '2026-12-01T22:24:12.000Z',
  rate: 4.9,
  urgent: true,
};
const campaign: Campaign = {
  id: 'cmp_1' as CampaignId,
  status: 'completed',
  message: { source: 'lavori.md', topics: ['cantieri'], subject: 'Lavori in via <Nazionale>', whatsapp: { template: 'avviso_cantieri', language: 'it', params: [] }, body: 'Ciao' },
  query: { topics: ['cantieri'], where: [], channel: 'preferred' },
  channels: ['whatsapp', 'email'],
  transports: { whatsapp: 'cloud-api', email: 'smtp' },
  recipients: 1290,
  plannedSkips: [],
  urgent: true,
  createdAt: '2026-12-01T22:19:00.000Z',
  startedAt: report.startedAt as string,
  finishedAt: report.finishedAt as string,
  throttling: { whatsapp: { answers: 12, slowdowns: 3, lowestRate: 10 }, email: { answers: 0, slowdowns: 0, lowestRate: 20 } },
};
const page: ReportPage = { report, campaign, cityName: 'Comune di <Esempio>', topicLabels: ['Cantieri e lavori stradali'], zone: 'Europe/Rome', generatedAt: new Date('2026-12-02T07:00:00Z') };

/** The words a person reads: the page without its tags, and without the codes, which stay as codes. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<code>[^<]*<\/code>/g, '')
    .replace(/<\/?(?:strong|em|span|small)[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}

describe('report HTML', () => {
  it('is in Italian: status, labels, reasons and what to do, the city, topic, subject and template', () => {
    const html = reportHtml(page);
    const text = visibleText(html);
    expect(html).toContain('<html lang="it">');
    expect(text).toContain('Comune di &lt;Esempio&gt;');
    expect(text).toContain('Rapporto di invio — Lavori in via &lt;Nazionale&gt;');
    expect(text).toContain('Cantieri e lavori stradali');
    expect(html).toContain('modello WhatsApp <code>avviso_cantieri</code>');
    expect(text).toContain('concluso');
    expect(text).toContain('URGENTE');
    for (const label of ['Destinatari', 'Inviati', 'Consegnati', 'Letti', 'Non riusciti', 'Esito incerto', 'Esclusi', 'Cosa fare']) expect(text).toContain(label);
    expect(text).toContain(FAILURE_IT.WHATSAPP_UNDELIVERABLE?.what);
    expect(text).toContain(FAILURE_IT.WHATSAPP_UNDELIVERABLE?.todo);
    expect(text).toContain('10 si sono cancellati dal servizio');
    expect(text).toContain('Destinatari 1300 — WhatsApp tramite WhatsApp Cloud API; e-mail tramite server di posta (SMTP)');
  });

  it('has no English status or provider words', () => {
    const text = visibleText(reportHtml(page));
    for (const word of ['completed', 'failed', 'skipped', 'sent', 'delivered', 'read', 'opted out', 'the number', 'reason', 'urgent', 'status', 'campaign']) {
      expect(text).not.toMatch(new RegExp(`\\b${word}\\b`, 'i'));
    }
  });

  it('writes times the Italian way in the city’s zone', () => {
    const text = visibleText(reportHtml(page));
    expect(text).toContain('iniziato il 1 dicembre 2026, 23:20, finito il 1 dicembre 2026, 23:24');
    expect(text).toContain('Rapporto creato il 2 dicembre 2026, 08:00');
    expect(text).not.toContain('2026-12-01T22');
  });

  it('says e-mail has no receipts, so 0 delivered is not read as a failure', () => {
    const html = reportHtml(page);
    expect(visibleText(html)).toContain('L’e-mail non ha conferme di consegna né di lettura');
    expect(html).toMatch(/<th scope="row">e-mail<\/th><td>300<\/td><td>300<\/td><td title="[^"]+">—<\/td><td title="[^"]+">—<\/td>/);
    const whatsappOnly = { ...page, report: { ...report, byChannel: { ...report.byChannel, email: zero } } };
    expect(visibleText(reportHtml(whatsappOnly))).not.toContain('conferme di consegna né di lettura');
  });

  it('explains duration and throttling in a sentence', () => {
    expect(pacingSentence(campaign, report)).toBe(
      'Invio durato 4 min 12 s, 4,9 messaggi al secondo in media; WhatsApp ha chiesto di rallentare 12 volte e canale ha ridotto la velocità 3 volte, fino a 10 messaggi al secondo: nessun messaggio perso, chi è stato rallentato è stato riprovato.',
    );
    expect(pacingSentence({ ...campaign, throttling: { whatsapp: { answers: 0, slowdowns: 0, lowestRate: 80 } } }, report)).toBe(
      'Invio durato 4 min 12 s, 4,9 messaggi al secondo in media; il fornitore non ha mai chiesto di rallentare.',
    );
    const { throttling: _unknown, ...older } = campaign;
    expect(pacingSentence(older, report)).toBe('Invio durato 4 min 12 s, 4,9 messaggi al secondo in media.');
  });

  it('says why an interrupted campaign stopped and what to do, in Italian', () => {
    const stopped = { ...campaign, status: 'interrupted' as const, stopReason: 'the access token was refused', stopCode: 'WHATSAPP_TOKEN_INVALID' };
    const text = visibleText(reportHtml({ ...page, campaign: stopped, report: { ...report, status: 'interrupted' } }));
    expect(text).toContain('interrotto');
    expect(text).toContain('la chiave di accesso a WhatsApp è scaduta o è stata revocata');
    expect(text).toContain('canale send --resume cmp_1');
    expect(text).not.toContain('access token');
  });

  it('says when the campaign goes on by itself', () => {
    const waiting = { ...report, status: 'scheduled', resumeAt: '2026-12-02T07:00:00.000Z', waitingFor: 'quiet-hours' };
    const text = visibleText(reportHtml({ ...page, report: waiting, campaign: { ...campaign, status: 'scheduled' } }));
    expect(text).toContain('in attesa di ripartire: attende la fine delle ore di silenzio e ripartirà da solo dal 2 dicembre 2026, 08:00');
  });

  it('shows a subject’s placeholders as their defaults, and a send over in less than a second as such', () => {
    const personal = { ...campaign, message: { ...campaign.message, subject: 'Municipio {{municipio | "della città"}}: avviso per {{nome}}' } };
    const text = visibleText(reportHtml({ ...page, campaign: personal }));
    expect(text).toContain('Rapporto di invio — Municipio della città: avviso per …');
    expect(text).not.toContain('{{');
    expect(pacingSentence(campaign, { ...report, finishedAt: '2026-12-01T22:20:00.400Z', rate: null })).toMatch(/^Invio durato meno di un secondo; /);
  });

  it('says a trial through the outbox reached nobody', () => {
    const trial = { ...campaign, transports: { whatsapp: 'outbox' as const, email: 'outbox' as const } };
    expect(visibleText(reportHtml({ ...page, campaign: trial }))).toContain('nessun messaggio è stato inviato ai cittadini');
  });

  it('is self-contained and escapes what providers and people wrote', () => {
    const html = reportHtml(page);
    expect(html).not.toMatch(/<script|src=|href=|url\(|@import/);
    expect(html).toContain('<code>X&lt;1&gt;</code>');
    expect(html).not.toContain('<Nazionale>');
    expect(html).not.toContain('<Esempio>');
    expect(html).toContain('<svg role="img"');
  });
});

describe('the Italian table', () => {
  it('has every skip reason', () => {
    expect(Object.keys(SKIP_IT).sort()).toEqual(Object.keys(SKIP_REASONS).sort());
  });

  it('has every failure code the transports and the webhook produce', async () => {
    const root = fileURLToPath(new URL('../../src/', import.meta.url));
    const dirs = ['adapters/transports', 'adapters/webhook', 'core/dispatch'];
    const codes = new Set<string>(['WRONG_CHANNEL', 'UNKNOWN', 'CONSECUTIVE_FAILURES', 'SIGNAL']);
    for (const dir of dirs) {
      for (const entry of await readdir(join(root, dir), { recursive: true })) {
        if (!entry.endsWith('.ts')) continue;
        const source = await readFile(join(root, dir, entry), 'utf8');
        for (const match of source.matchAll(/'((?:WHATSAPP|SMTP|OUTBOX)_[A-Z_]+)'/g)) codes.add(match[1] as string);
      }
    }
    expect(codes.size).toBeGreaterThan(50);
    expect([...codes].filter((code) => FAILURE_IT[code] === undefined)).toEqual([]);
  });
});
