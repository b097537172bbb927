import type { Campaign, Throttling } from '../../core/campaign.js';
import { escapeHtml } from '../../core/message/email-html.js';
import { findPlaceholders } from '../../core/message/placeholders.js';
import type { CampaignReport, Counts } from '../../core/report.js';
import type { Channel } from '../../core/subscriber.js';
import { italianDuration, italianTime } from '../../ui/local-time.js';
import { failureInItalian, SKIP_IT, STATUS_IT } from './report-italian.js';

/** What the page is made of: the report, the campaign it is of, and what the office reads in place of ids. */
export interface ReportPage {
  readonly report: CampaignReport;
  readonly campaign: Campaign;
  readonly cityName: string;
  /** The labels of the campaign's topics ("Cantieri e lavori stradali"), in its order. */
  readonly topicLabels: readonly string[];
  /** The zone the times are written in (config `timezone`). */
  readonly zone: string;
  /** When the page was made. */
  readonly generatedAt: Date;
}

const e = escapeHtml;
const number = new Intl.NumberFormat('it-IT');
const n = (value: number): string => number.format(value);
const CHANNEL_IT: Readonly<Record<Channel, string>> = { whatsapp: 'WhatsApp', email: 'e-mail' };
/** Who asks a send to slow down, on each channel. */
const SLOWED_BY: Readonly<Record<Channel, string>> = { whatsapp: 'WhatsApp', email: 'il server di posta' };
/** Whether a channel confirms delivery and reading: e-mail does not, so those cells say so rather than 0. */
const HAS_RECEIPTS: Readonly<Record<Channel, boolean>> = { whatsapp: true, email: false };
const TRANSPORT_IT: Readonly<Record<string, string>> = { 'cloud-api': 'WhatsApp Cloud API', smtp: 'server di posta (SMTP)', outbox: 'cartella di prova (outbox)' };

const BARS: ReadonlyArray<[keyof Counts, string, string]> = [
  ['sent', 'Inviati', '#2563eb'],
  ['delivered', 'Consegnati', '#16a34a'],
  ['read', 'Letti', '#15803d'],
  ['failed', 'Non riusciti', '#dc2626'],
  ['unknown', 'Esito incerto', '#d97706'],
  ['skipped', 'Esclusi', '#6b7280'],
];

/** A text of the message as a reader of the page should see it: each placeholder as its default, else "…". */
function generic(text: string): string {
  let shown = text;
  for (const p of findPlaceholders(text).placeholders) shown = shown.replaceAll(p.raw, p.fallback ?? '…');
  return shown;
}

/** The message as the office knows it: the e-mail subject and/or the WhatsApp template, else the start of the text. */
function messageLine(campaign: Campaign): string {
  const parts: string[] = [];
  if (campaign.message.subject !== undefined) parts.push(`«${e(generic(campaign.message.subject))}»`);
  if (campaign.message.whatsapp !== undefined) parts.push(`modello WhatsApp <code>${e(campaign.message.whatsapp.template)}</code>`);
  if (parts.length === 0) {
    const text = generic(campaign.message.body).replace(/\s+/g, ' ').trim();
    parts.push(`testo: «${e(text.length > 120 ? `${text.slice(0, 119)}…` : text)}»`);
  }
  return parts.join(' — ');
}

/** Where the campaign stands, in a sentence, with what to do when it needs a person. */
function statusLine(page: ReportPage): string {
  const { campaign, report, zone } = page;
  const status = `<strong>${e(STATUS_IT[campaign.status])}</strong>`;
  if (campaign.status === 'scheduled' && report.resumeAt !== undefined) {
    const why = report.waitingFor === 'daily-limit' ? 'che si liberi il limite giornaliero di WhatsApp' : 'la fine delle ore di silenzio';
    return `${status}: attende ${why} e ripartirà da solo dal ${e(italianTime(report.resumeAt, zone))}.`;
  }
  if (campaign.status === 'interrupted') {
    const stop = campaign.stopCode === undefined ? undefined : failureInItalian(campaign.stopCode, campaign.id);
    if (stop === undefined) return `${status}: l’invio si è fermato prima di finire. Cosa fare: riprenderlo con «canale send --resume ${e(campaign.id)}».`;
    return `${status}: ${e(stop.what)}. Cosa fare: ${e(stop.todo)}.`;
  }
  return `${status}.`;
}

/** How long it took and what throttling did, in a sentence: only what the campaign record knows. */
export function pacingSentence(campaign: Campaign, report: CampaignReport): string {
  const sentences: string[] = [];
  if (report.startedAt !== null && report.finishedAt !== null) {
    const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
    const rate = report.rate === null ? '' : `, ${report.rate.toLocaleString('it-IT')} messaggi al secondo in media`;
    sentences.push(`Invio durato ${seconds < 1 ? 'meno di un secondo' : italianDuration(seconds)}${rate}`);
  }
  const met = Object.entries(campaign.throttling ?? {}) as Array<[Channel, Throttling]>;
  const throttled = met.filter(([, t]) => t.answers > 0);
  if (throttled.length > 0) {
    const each = throttled.map(([channel, t]) => {
      const who = SLOWED_BY[channel];
      const slowed = t.slowdowns === 1 ? 'una volta' : `${n(t.slowdowns)} volte`;
      return `${who} ha chiesto di rallentare ${t.answers === 1 ? 'una volta' : `${n(t.answers)} volte`} e canale ha ridotto la velocità ${slowed}, fino a ${n(t.lowestRate)} messaggi al secondo`;
    });
    sentences.push(`${each.join('; ')}: nessun messaggio perso, chi è stato rallentato è stato riprovato`);
  } else if (met.length > 0) {
    sentences.push('il fornitore non ha mai chiesto di rallentare');
  }
  if (sentences.length === 0) return '';
  const text = sentences.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function chart(report: CampaignReport): string {
  const max = Math.max(1, report.counts.targeted);
  const bar = ([key, label, color]: (typeof BARS)[number], row: number): string => {
    const value = report.counts[key];
    const width = Math.round((value / max) * 360);
    const y = row * 34;
    return `<g><text x="0" y="${y + 20}" font-size="14">${label}</text><rect x="130" y="${y + 6}" width="${width}" height="20" fill="${color}"><title>${label}: ${n(value)}</title></rect><text x="${136 + width}" y="${y + 21}" font-size="14">${n(value)}</text></g>`;
  };
  return `<svg role="img" aria-label="Esito dei messaggi" width="560" height="${BARS.length * 34 + 8}" xmlns="http://www.w3.org/2000/svg">\n${BARS.map(bar).join('\n')}\n</svg>`;
}

function channelTable(report: CampaignReport): string {
  const cell = (channel: Channel, key: keyof Counts): string =>
    !HAS_RECEIPTS[channel] && (key === 'delivered' || key === 'read') ? '<td title="l’e-mail non ha conferme di consegna o di lettura">—</td>' : `<td>${n(report.byChannel[channel][key])}</td>`;
  const rows = (['whatsapp', 'email'] as const)
    .filter((c) => report.byChannel[c].targeted > 0)
    .map((c) => `<tr><th scope="row">${CHANNEL_IT[c]}</th><td>${n(report.byChannel[c].targeted)}</td>${BARS.map(([k]) => cell(c, k)).join('')}</tr>`);
  return `<table><thead><tr><th scope="col">Canale</th><th scope="col">Destinatari</th>${BARS.map(([, label]) => `<th scope="col">${label}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** Notes that keep a figure from being misread: e-mail has no receipts, WhatsApp's need the webhook, a trial sent nothing. */
function notes(page: ReportPage): string[] {
  const { report, campaign } = page;
  const out: string[] = [];
  const transports = Object.values(campaign.transports);
  if (transports.length > 0 && transports.every((t) => t === 'outbox')) {
    out.push('<strong>Prova:</strong> nessun messaggio è stato inviato ai cittadini; i messaggi sono stati scritti nella cartella di prova (outbox) di canale.');
  }
  if (report.byChannel.email.targeted > 0) {
    out.push('L’e-mail non ha conferme di consegna né di lettura: per l’e-mail contano gli <strong>inviati</strong> (accettati dal server di posta), e «0 consegnati» o «0 letti» non indicano un problema.');
  }
  if (report.byChannel.whatsapp.sent > 0 && report.byChannel.whatsapp.delivered === 0 && campaign.transports.whatsapp === 'cloud-api') {
    out.push('Le conferme di consegna e di lettura di WhatsApp arrivano solo mentre il servizio delle ricevute è attivo (canale webhook serve).');
  }
  if (report.counts.unknown > 0) {
    out.push(`${n(report.counts.unknown)} messaggi erano in partenza quando il programma si è fermato: non si sa se sono arrivati. Per reinviarli: «canale send --resume ${e(campaign.id)} --resend-unknown».`);
  }
  return out;
}

function failureList(page: ReportPage): string {
  if (page.report.failures.length === 0) return '';
  const rows = page.report.failures.map((f) => {
    const text = failureInItalian(f.code, page.campaign.id);
    return `<tr><td>${n(f.count)}</td><td>${e(text.what)}<br><small><code>${e(f.code)}</code></small></td><td>${e(text.todo)}</td></tr>`;
  });
  return `<h2>Non riusciti</h2>\n<table class="reasons"><thead><tr><th scope="col">Quanti</th><th scope="col">Cosa è successo</th><th scope="col">Cosa fare</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function skipList(report: CampaignReport): string {
  if (report.skipped.length === 0) return '';
  return `<h2>Esclusi</h2>\n<ul>${report.skipped.map((s) => `<li><strong>${n(s.count)}</strong> ${e(SKIP_IT[s.reason] ?? s.reason)}</li>`).join('\n')}</ul>`;
}

/**
 * The report as a page a communication office forwards to the mayor's: all in Italian, times the Italian way in
 * the city's zone, the message, the topics by label, urgency, and notes that keep figures from being misread.
 * Self-contained (inline CSS, an inline SVG chart, no script, no external resource); every text from the message,
 * the store or a provider is escaped.
 */
export function reportHtml(page: ReportPage): string {
  const { report, campaign, zone } = page;
  const subject = campaign.message.subject === undefined ? undefined : generic(campaign.message.subject);
  const title = `Rapporto di invio — ${subject ?? campaign.message.whatsapp?.template ?? page.topicLabels.join(', ')}`;
  const when = (at: string): string => e(italianTime(at, zone));
  const times = [
    ...(report.startedAt === null ? [] : [`iniziato il ${when(report.startedAt)}`]),
    ...(report.finishedAt === null ? [] : [`finito il ${when(report.finishedAt)}`]),
  ].join(', ') || 'non ancora iniziato';
  const channels = (Object.entries(campaign.transports) as Array<[Channel, string]>).map(([c, t]) => `${CHANNEL_IT[c]} tramite ${e(TRANSPORT_IT[t] ?? t)}`).join('; ');
  const pacing = pacingSentence(campaign, report);
  const notesHtml = notes(page).map((note) => `<p class="note">${note}</p>`).join('\n');
  return `<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(title)} — ${e(page.cityName)}</title>
<style>body{font-family:Arial,Helvetica,sans-serif;color:#1f2937;max-width:820px;margin:2rem auto;padding:0 1rem;line-height:1.45}header p{margin:0;color:#4b5563}h1{margin:.2rem 0 1rem}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d1d5db;padding:4px 10px;text-align:right;vertical-align:top}th[scope=row],thead th:first-child,.reasons th,.reasons td{text-align:left}.reasons td:first-child{text-align:right}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:bold}dd{margin:0}.urgent{display:inline-block;background:#b91c1c;color:#fff;font-weight:bold;padding:2px 10px;border-radius:4px;letter-spacing:.05em}.note{background:#f3f4f6;border-left:4px solid #6b7280;padding:.5rem .8rem}footer{margin-top:2rem;color:#6b7280;font-size:.85rem}</style>
</head>
<body>
<header><p>${e(page.cityName)}</p><h1>${e(title)}</h1>${campaign.urgent === true ? '<p><span class="urgent">URGENTE</span> — inviato anche nelle ore di silenzio</p>' : ''}</header>
<dl>
<dt>Messaggio</dt><dd>${messageLine(campaign)}</dd>
<dt>Argomenti</dt><dd>${e(page.topicLabels.join(', '))}</dd>
<dt>Stato</dt><dd>${statusLine(page)}</dd>
<dt>Quando</dt><dd>${times}</dd>
<dt>Destinatari</dt><dd><strong>${n(report.counts.targeted)}</strong>${channels === '' ? '' : ` — ${channels}`}</dd>
</dl>
${pacing === '' ? '' : `<p>${e(pacing)}</p>`}
${chart(report)}
${channelTable(report)}
${notesHtml}
${failureList(page)}
${skipList(report)}
<footer>Campagna <code>${e(campaign.id)}</code>. Orari di ${e(zone)}. Rapporto creato il ${e(italianTime(page.generatedAt, zone))} con canale.</footer>
</body>
</html>
`;
}
