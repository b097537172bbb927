import { stringify } from 'csv-stringify/sync';
import type { Delivery } from '../../core/audience.js';
import { STATE, type JournalReplay, type RecipientState } from '../../core/dispatch/journal-state.js';
import { escapeHtml } from '../../core/message/email-html.js';
import type { CampaignReport, Counts } from '../../core/report.js';
import { describeFailure } from '../../core/transport.js';
import type { Subscriber } from '../../core/subscriber.js';

const STATE_NAMES: Readonly<Record<RecipientState, string>> = {
  [STATE.pending]: 'pending',
  [STATE.unknown]: 'unknown',
  [STATE.sent]: 'sent',
  [STATE.failed]: 'failed',
  [STATE.skipped]: 'skipped',
  [STATE.delivered]: 'delivered',
  [STATE.read]: 'read',
};

/**
 * One row per recipient: subscriber id, channel, status, code, provider message id, last update. Contacts only
 * with `withContacts`, because the file leaves the home.
 */
export function* reportCsv(deliveries: readonly Delivery[], replay: JournalReplay, contacts?: ReadonlyMap<string, Subscriber>): Generator<string> {
  const header = ['subscriber_id', 'channel', 'status', 'code', 'reason', 'provider_message_id', 'updated_at', ...(contacts ? ['name', 'address'] : [])];
  yield stringify([header], { record_delimiter: '\r\n' });
  for (let start = 0; start < deliveries.length; start += 1000) {
    const rows = deliveries.slice(start, start + 1000).map((d, offset) => {
      const i = start + offset;
      const failure = replay.failures.get(i);
      const row = [
        d.subscriberId,
        d.channel,
        STATE_NAMES[replay.states[i] as RecipientState],
        failure?.code ?? replay.skips.get(i) ?? '',
        failure === undefined ? '' : describeFailure(failure),
        replay.providerIds.get(i) ?? '',
        replay.lastAt.get(i) ?? '',
      ];
      if (contacts) {
        const s = contacts.get(d.subscriberId);
        row.push(s?.name ?? '', (d.channel === 'whatsapp' ? s?.phone : s?.email) ?? '');
      }
      return row;
    });
    yield stringify(rows, { record_delimiter: '\r\n' });
  }
}

const BARS: ReadonlyArray<[keyof Counts, string, string]> = [
  ['sent', 'Inviati', '#2563eb'],
  ['delivered', 'Consegnati', '#16a34a'],
  ['read', 'Letti', '#15803d'],
  ['failed', 'Non riusciti', '#dc2626'],
  ['unknown', 'Esito incerto', '#d97706'],
  ['skipped', 'Esclusi', '#6b7280'],
];

/** A self-contained page: the figures and a bar chart in inline SVG, readable without JavaScript. */
export function reportHtml(report: CampaignReport, title: string): string {
  const max = Math.max(1, report.counts.targeted);
  const bar = ([key, label, color]: (typeof BARS)[number], row: number): string => {
    const value = report.counts[key];
    const width = Math.round((value / max) * 360);
    const y = row * 34;
    return `<g><text x="0" y="${y + 20}" font-size="14">${label}</text><rect x="130" y="${y + 6}" width="${width}" height="20" fill="${color}"><title>${label}: ${value}</title></rect><text x="${136 + width}" y="${y + 21}" font-size="14">${value}</text></g>`;
  };
  const rows = (['whatsapp', 'email'] as const)
    .filter((c) => report.byChannel[c].targeted > 0)
    .map((c) => `<tr><th scope="row">${c === 'whatsapp' ? 'WhatsApp' : 'E-mail'}</th>${BARS.map(([k]) => `<td>${report.byChannel[c][k]}</td>`).join('')}</tr>`)
    .join('\n');
  const failures = report.failures.map((f) => `<li><strong>${f.count}</strong> × <code>${escapeHtml(f.code)}</code> — ${escapeHtml(f.reason)}</li>`).join('\n');
  const skipped = report.skipped.map((s) => `<li><strong>${s.count}</strong> × ${escapeHtml(s.label)}</li>`).join('\n');
  return `<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:Arial,Helvetica,sans-serif;color:#1f2937;max-width:760px;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}th,td{border:1px solid #d1d5db;padding:4px 10px;text-align:right}th[scope=row]{text-align:left}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Campagna <code>${escapeHtml(report.campaign)}</code> — stato: <strong>${escapeHtml(report.status)}</strong>${report.urgent ? ' — <strong>urgente</strong>' : ''}. Destinatari: <strong>${report.counts.targeted}</strong>.
${report.startedAt ? `Iniziata ${escapeHtml(report.startedAt)}` : ''}${report.finishedAt ? `, finita ${escapeHtml(report.finishedAt)}` : ''}${report.rate === null ? '' : `, ${report.rate} messaggi/s`}.</p>
<svg role="img" aria-label="Esito dei messaggi" width="560" height="${BARS.length * 34 + 8}" xmlns="http://www.w3.org/2000/svg">
${BARS.map(bar).join('\n')}
</svg>
<table><thead><tr><th scope="col">Canale</th>${BARS.map(([, label]) => `<th scope="col">${label}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table>
${failures ? `<h2>Non riusciti</h2><ul>${failures}</ul>` : ''}
${skipped ? `<h2>Esclusi</h2><ul>${skipped}</ul>` : ''}
</body>
</html>
`;
}
