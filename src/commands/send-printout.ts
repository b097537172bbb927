import type { TransportChoice } from '../adapters/transports/choose.js';
import { SKIP_REASONS } from '../core/audience.js';
import type { MessageSummary, SendPlan } from '../core/plan.js';
import type { CampaignReport, Counts } from '../core/report.js';
import type { Channel } from '../core/subscriber.js';
import { tableTime } from '../ui/local-time.js';
import { printTable } from '../ui/table.js';
import type { Ui } from '../ui/ui.js';

/** A channel's name at the head of a plan's row. */
const ROW_NAME: Readonly<Record<Channel, string>> = { whatsapp: 'WhatsApp', email: 'E-mail' };

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * The message as the plan and the confirmation name it: `lavori.md (e-mail "Lavori in via Nazionale", WhatsApp
 * template avviso_cantieri)`, or `--text "Da lunedì via Roma è chiusa…"`.
 */
export function messageLabel(message: MessageSummary): string {
  if (message.text !== undefined) {
    const line = message.text.replace(/\s+/g, ' ').trim();
    return `--text "${line.length > 40 ? `${line.slice(0, 39).trimEnd()}…` : line}"${message.subject === undefined ? '' : ` (e-mail "${message.subject}")`}`;
  }
  const parts = [
    ...(message.subject === undefined ? [] : [`e-mail "${message.subject}"`]),
    ...(message.whatsappTemplate === undefined ? [] : [`WhatsApp template ${message.whatsappTemplate.name} (${message.whatsappTemplate.language})`]),
  ];
  const file = message.source.split(/[\\/]/).pop() ?? message.source;
  return `${file}${parts.length === 0 ? '' : ` (${parts.join(', ')})`}`;
}

/** The plan before a send, for the person who confirms it (stderr), or as one JSON line on stdout. */
export function printPlan(ui: Ui, plan: SendPlan, choices: Partial<Record<Channel, TransportChoice>>, warnings: readonly string[], json: boolean, urgent = false): void {
  for (const choice of Object.values(choices)) if (choice?.warning !== undefined) ui.warn(choice.warning);
  for (const warning of warnings) ui.warn(warning);
  if (json) {
    const { audience: _audience, sample: _sample, ...summary } = plan;
    ui.jsonLine({ plan: { ...summary, transports: Object.fromEntries(Object.entries(choices).map(([c, t]) => [c, t?.name])), warnings, urgent } });
  } else {
    ui.info(ui.errColor.bold(`Send to ${plan.topics.join(', ')}${urgent ? ' — URGENT: quiet hours do not apply' : ''}`));
    ui.info(`  message: ${messageLabel(plan.message)}`);
    for (const channel of ['whatsapp', 'email'] as const) {
      if (plan.recipients[channel] > 0) ui.info(`  ${ROW_NAME[channel]}: ${plan.recipients[channel]} via ${choices[channel]?.name ?? '?'} at ${plan.rates[channel]}/s`);
    }
    for (const s of plan.skipped) ui.info(`  skipped: ${s.count} ${SKIP_REASONS[s.reason]}`);
    ui.info(`  about ${duration(plan.estimatedSeconds)}, cost about ${plan.cost.total.toFixed(2)} ${plan.cost.currency}`);
  }
}

const COLUMNS: ReadonlyArray<keyof Counts> = ['targeted', 'sent', 'delivered', 'read', 'failed', 'unknown', 'skipped'];

/**
 * The report: a table and the failures and skips by reason, or the JSON of DESIGN §10 on one line (UTC). With a
 * `zone`, also when it started and finished, as the city's clocks read.
 */
export function printReport(ui: Ui, report: CampaignReport, json: boolean, zone?: string): void {
  if (json) {
    ui.jsonLine(report);
    return;
  }
  ui.out(ui.color.bold(`Campaign ${report.campaign}: ${report.status}${report.urgent ? ' (urgent)' : ''}`));
  const rows = (['whatsapp', 'email'] as const)
    .filter((c) => report.byChannel[c].targeted > 0)
    .map((c) => [c, ...COLUMNS.map((k) => String(report.byChannel[c][k]))]);
  printTable(ui, ['CHANNEL', ...COLUMNS.map((c) => c.toUpperCase())], [...rows, ['total', ...COLUMNS.map((k) => String(report.counts[k]))]]);
  for (const f of report.failures) ui.out(`failed: ${f.count} × ${f.code} — ${f.reason}`);
  for (const s of report.skipped) ui.out(`skipped: ${s.count} × ${s.label}`);
  if (report.unknownAdvice !== undefined) ui.out(`unknown: ${report.unknownAdvice}`);
  if (report.settledByReceipts !== undefined) ui.out(`settled by receipts: ${report.settledByReceipts} whose answer was lost (WhatsApp had accepted them, counted sent)`);
  if (zone !== undefined && report.startedAt !== null) {
    ui.out(`started ${tableTime(report.startedAt, zone)}${report.finishedAt === null ? '' : `, finished ${tableTime(report.finishedAt, zone)}`} (${zone})`);
  }
  if (report.startedAt !== null && report.finishedAt !== null) {
    const seconds = Math.round((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000);
    ui.out(`took ${duration(seconds)}${report.rate === null ? '' : ` at ${report.rate} messages/s`}`);
  }
}
