import type { Command } from 'commander';
import { readCampaignState } from '../../adapters/campaign/campaign-files.js';
import { damagedCampaignError, loadCampaign, scanCampaigns } from '../../adapters/campaign/campaign-store.js';
import { withLiveStatus } from '../../adapters/campaign/send-lock.js';
import { writeFileAtomic } from '../../adapters/fs/atomic-file.js';
import type { Campaign } from '../../core/campaign.js';
import { CanaleError, usageError } from '../../core/errors.js';
import { checkId } from '../../core/ids.js';
import { withExamples, type App } from '../app.js';
import type { TextOutput } from '../../deps.js';
import { Ui } from '../../ui/ui.js';
import type { Context } from '../context.js';
import { checkOutputFile } from '../output-file.js';
import { printReport } from '../send/print.js';
import { displayZone } from '../display-zone.js';
import { readPlanSettings } from '../preview/plan-settings.js';
import { reportCsv } from './report-formats.js';
import { reportHtml } from './report-html.js';

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

/** What a report is made of: the campaign as it stands, its frozen list and its journal replayed. */
export type CampaignWithState = { readonly campaign: Campaign } & Awaited<ReturnType<typeof readCampaignState>>;

/** A campaign's state; a list that cannot be read makes it a damaged campaign, said with how to clear it. */
async function stateOf(ctx: Context, campaign: Campaign): Promise<CampaignWithState> {
  try {
    return { campaign, ...(await readCampaignState(ctx.paths.home, campaign)) };
  } catch (error) {
    if (error instanceof CanaleError && error.code === 'CAMPAIGN_DAMAGED') throw damagedCampaignError(ctx.paths.home, campaign.id, error.message);
    throw error;
  }
}

/** The campaign asked for, or the most recent one that can be read (damaged ones are skipped, and said). */
export async function campaignOrLast(ctx: Context, id: string | undefined): Promise<CampaignWithState> {
  const live = async (c: Campaign): Promise<Campaign> => (await withLiveStatus(ctx.paths.home, [c], ctx.deps.processes))[0] ?? c;
  if (id !== undefined) return stateOf(ctx, await live(await loadCampaign(ctx.paths.home, id)));
  const { campaigns, damaged } = await scanCampaigns(ctx.paths.home);
  const skipped = damaged.map((d) => d.id);
  let found: CampaignWithState | undefined;
  for (const campaign of [...campaigns].reverse()) {
    try {
      found = await stateOf(ctx, await live(campaign));
      break;
    } catch (error) {
      if (!(error instanceof CanaleError && error.code === 'CAMPAIGN_DAMAGED')) throw error;
      skipped.push(campaign.id);
    }
  }
  if (skipped.length > 0) ctx.ui.warn(`skipped ${skipped.length} damaged campaign(s): ${skipped.join(', ')} — see: canale campaigns list`);
  if (found === undefined) throw new CanaleError('NO_CAMPAIGNS', 'there are no campaigns yet — send one with: canale send --topic T --message FILE');
  return found;
}

/** A campaign's report, any time after it started: as a table, JSON, CSV (one row per recipient) or an HTML page. */
export async function runReport(options: ReportOptions, ctx: Context): Promise<void> {
  await ctx.prepareHome();
  const { campaign, deliveries, replay, report } = await campaignOrLast(ctx, options.campaign);
  const out = options.out === undefined ? undefined : await checkOutputFile(ctx, options.out, '--out', options.force);
  let chunks: Iterable<string>;
  switch (options.format) {
    case 'json':
      if (out === undefined) return printReport(ctx.ui, report, true);
      chunks = [`${JSON.stringify(report, null, 2)}\n`];
      break;
    case 'table': {
      const zone = await displayZone(ctx);
      if (out === undefined) return printReport(ctx.ui, report, false, zone);
      // into a file the table is written as in a pipe: plain tab-separated rows, no colour
      const lines: string[] = [];
      const file: TextOutput = { isTTY: false, write: (text) => void lines.push(text) };
      printReport(new Ui({ stdout: file, stderr: ctx.deps.io.stderr, stdinIsTTY: false }, {}, { color: false, quiet: true }), report, false, zone);
      chunks = lines;
      break;
    }
    case 'csv': {
      const contacts = options.withContacts ? new Map((await (await ctx.store()).read()).subscribers.map((s) => [s.id as string, s])) : undefined;
      chunks = reportCsv(deliveries, replay, contacts);
      break;
    }
    case 'html': {
      const settings = await readPlanSettings(ctx);
      const catalogue = await (await ctx.store()).topics();
      const labels = campaign.query.topics.map((id) => catalogue.find((t) => t.id === id)?.label ?? id);
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
