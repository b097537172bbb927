import type { Command } from 'commander';
import { writeFileAtomic } from '../../adapters/fs/atomic-file.js';
import { usageError } from '../../core/errors.js';
import type { Delivery } from '../../core/audience.js';
import { checkId } from '../../core/ids.js';
import type { SubscriberStore } from '../../core/ports.js';
import type { Subscriber } from '../../core/subscriber.js';
import { withExamples, type App } from '../app.js';
import type { TextOutput } from '../../deps.js';
import { Ui } from '../../ui/ui.js';
import type { Context } from '../context.js';
import { checkOutputFile } from '../output-file.js';
import { printReport } from '../send-printout.js';
import { displayZone } from '../display-zone.js';
import { campaignOrLast } from '../../sending/campaign-state.js';
import { readPlanSettings } from '../../sending/plan-settings.js';
import { reportCsv } from './report-formats.js';
import { reportHtml } from './report-html.js';
import { describeReplyTraffic, replyTraffic, type ReplyTraffic } from '../../core/reply-traffic.js';
import { trafficPriceOf } from '../traffic-price.js';
import { labelsOf } from '../../core/topic.js';

export type ReportFormat = 'table' | 'json' | 'csv' | 'html';

export interface ReportOptions {
  readonly campaign?: string;
  readonly format: ReportFormat;
  readonly out?: string;
  readonly withContacts: boolean;
  /** Replace an existing --out file without asking. */
  readonly force: boolean;
}

export function parseReport(campaign: string | undefined, flags: { last?: boolean; format?: string; json?: boolean; out?: string; withContacts?: boolean; force?: boolean }): ReportOptions {
  const format = (flags.json ? 'json' : (flags.format ?? 'table')).toLowerCase();
  if (!['table', 'json', 'csv', 'html'].includes(format)) throw usageError('FORMAT_INVALID', `--format "${flags.format}" is not table, json, csv or html`);
  if (campaign !== undefined && flags.last) throw usageError('REPORT_TWICE', 'give a campaign id or --last, not both');
  if (flags.withContacts && format !== 'csv') throw usageError('REPORT_CONTACTS', '--with-contacts goes with --format csv');
  return { ...(campaign === undefined ? {} : { campaign: checkId('campaign', campaign, 'report CAMPAIGN') }), format: format as ReportFormat, ...(flags.out === undefined ? {} : { out: flags.out }), withContacts: flags.withContacts === true, force: flags.force === true };
}

/** A campaign's report, any time after it started: as a table, JSON, CSV (one row per recipient) or an HTML page. */
export async function runReport(options: ReportOptions, ctx: Context): Promise<void> {
  const ports = await ctx.ports();
  const { campaign, deliveries, replay, report: campaignReport } = await campaignOrLast(ports, options.campaign, (line) => ctx.ui.warn(line));
  // beside the campaign, the webhook server's answers to citizens (service messages), once it has counted any
  const counted = (await ports.events.cursor()).replies;
  const traffic = counted === undefined ? undefined : replyTraffic(counted, ctx.deps.clock.now(), await trafficPriceOf(ctx));
  const report = traffic === undefined ? campaignReport : { ...campaignReport, replyTraffic: traffic };
  const out = options.out === undefined ? undefined : await checkOutputFile(ctx, options.out, '--out', options.force);
  let chunks: Iterable<string>;
  switch (options.format) {
    case 'json':
      if (out === undefined) return printReport(ctx.ui, report, true);
      chunks = [`${JSON.stringify(report, null, 2)}\n`];
      break;
    case 'table': {
      const zone = await displayZone(ctx);
      if (out === undefined) return printTable(ctx.ui, report, zone, traffic);
      // into a file the table is written as in a pipe: plain tab-separated rows, no colour
      const lines: string[] = [];
      const file: TextOutput = { isTTY: false, write: (text) => void lines.push(text) };
      printTable(new Ui({ stdout: file, stderr: ctx.deps.io.stderr, stdinIsTTY: false }, {}, { color: false, quiet: true }), report, zone, traffic);
      chunks = lines;
      break;
    }
    case 'csv': {
      const contacts = options.withContacts ? await contactsOf(ports.subscribers, deliveries) : undefined;
      chunks = reportCsv(deliveries, replay, contacts);
      break;
    }
    case 'html': {
      const settings = await readPlanSettings(ctx);
      const catalogue = await ports.subscribers.topics();
      const labels = labelsOf(catalogue, campaign.query.topics);
      chunks = [reportHtml({ report, campaign, cityName: settings.cityName, topicLabels: labels, zone: settings.timezone, generatedAt: ctx.deps.clock.now() })];
      break;
    }
    default: {
      const unreachable: never = options.format;
      return unreachable;
    }
  }
  if (out === undefined) {
    for (const chunk of chunks) ctx.deps.io.stdout.write(chunk);
    return;
  }
  await writeFileAtomic(out, chunks);
  ctx.ui.success(`wrote the report of ${campaign.id} to ${options.out}`);
}

/** The report's table, then the reply traffic of the webhook server when it has counted any. */
function printTable(ui: Ui, report: Parameters<typeof printReport>[1], zone: string, traffic: ReplyTraffic | undefined): void {
  printReport(ui, report, false, zone);
  if (traffic !== undefined) ui.out(`replies (webhook serve, all citizens): ${describeReplyTraffic(traffic)}`);
}

/** The subscribers of a campaign's list who are still in the store, by id, for `--with-contacts`. */
async function contactsOf(store: SubscriberStore, deliveries: readonly Delivery[]): Promise<Map<string, Subscriber>> {
  const listed = new Set<string>(deliveries.map((d) => d.subscriberId));
  const contacts = new Map<string, Subscriber>();
  await store.scan(undefined, (s) => {
    if (listed.has(s.id)) contacts.set(s.id, s);
  });
  return contacts;
}

export function registerReport(program: Command, app: App): void {
  withExamples(
    program
      .command('report')
      .argument('[campaign]', 'campaign id (default: the last one)')
      .description('what happened to a campaign: sent, delivered, read, failed by reason, skipped')
      .option('--last', 'the most recent campaign')
      .option('--format <format>', 'table (default), json, csv (one row per recipient) or html')
      .option('--json', 'same as --format json')
      .option('--out <file>', 'write to a file outside the home (mode 0600) instead of stdout')
      .option('--force', 'replace the --out file if it exists')
      .option('--with-contacts', 'add names and addresses to the CSV (personal data: keep the file safe)'),
    ['canale report --last', 'canale report cmp_7k3m9q2xaa --format csv --out invio.csv', 'canale report --last --format html --out rapporto.html'],
  ).action(app.action(async (campaign: string | undefined, flags: Parameters<typeof parseReport>[1], ctx: Context) => runReport(parseReport(campaign, flags), ctx)));
}
