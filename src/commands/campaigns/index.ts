import type { Command } from 'commander';
import { readCampaignState } from '../../adapters/campaign/campaign-files.js';
import { listCampaigns, loadCampaign, saveCampaign } from '../../adapters/campaign/campaign-store.js';
import type { Campaign } from '../../core/campaign.js';
import { CanaleError } from '../../core/errors.js';
import { checkId } from '../../core/ids.js';
import type { CampaignReport } from '../../core/report.js';
import { tableTime } from '../../ui/local-time.js';
import { printTable } from '../../ui/table.js';
import { withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { displayZone } from '../display-zone.js';
import { campaignOrLast } from '../report/index.js';
import { sendLockHolder } from '../send/campaign.js';
import { printReport } from '../send/print.js';
import { describeWait } from '../send/send-window.js';
import { readPlanSettings } from '../preview/plan-settings.js';
import { withLiveStatus, withSendLock } from '../../adapters/campaign/send-lock.js';

async function reportOf(ctx: Context, campaign: Campaign): Promise<CampaignReport> {
  return (await readCampaignState(ctx.paths.home, campaign)).report;
}

/** Every campaign, oldest first, CREATED in `timezone`; `{ id, status, createdAt, topics, channels, counts }` with --json (DESIGN §10, UTC). */
export async function runCampaignsList(options: { readonly json: boolean }, ctx: Context): Promise<void> {
  await ctx.prepareHome();
  const campaigns = await withLiveStatus(ctx.paths.home, await listCampaigns(ctx.paths.home), ctx.deps.processes);
  const rows = await Promise.all(
    campaigns.map(async (c) => ({ id: c.id, status: c.status, createdAt: c.createdAt, topics: c.query.topics, channels: c.channels, counts: (await reportOf(ctx, c)).counts })),
  );
  if (options.json) {
    ctx.ui.json(rows);
    return;
  }
  const zone = await displayZone(ctx);
  printTable(
    ctx.ui,
    ['ID', 'STATUS', 'CREATED', 'TOPICS', 'TARGETED', 'SENT', 'FAILED'],
    rows.map((r) => [r.id, r.status, tableTime(r.createdAt, zone), r.topics.join(','), String(r.counts.targeted), String(r.counts.sent), String(r.counts.failed)]),
  );
  if (rows.length === 0) ctx.ui.info('no campaigns yet — send one with: canale send --topic T --message FILE');
}

export async function runCampaignShow(id: string, options: { readonly json: boolean }, ctx: Context): Promise<void> {
  await ctx.prepareHome();
  const campaign = await campaignOrLast(ctx, id);
  const report = await reportOf(ctx, campaign);
  if (options.json) {
    ctx.ui.json({ ...campaign, report });
    return;
  }
  ctx.ui.out(`message: ${campaign.message.source}${campaign.message.subject ? ` — ${campaign.message.subject}` : ''}`);
  ctx.ui.out(`topics: ${campaign.query.topics.join(', ')}${campaign.query.where.length > 0 ? ` where ${campaign.query.where.map((w) => `${w.key}=${w.value}`).join(', ')}` : ''}`);
  ctx.ui.out(`transports: ${Object.entries(campaign.transports).map(([c, t]) => `${c} via ${t}`).join(', ')}`);
  if (campaign.urgent === true) ctx.ui.out('urgent: quiet hours did not apply');
  if (campaign.schedule !== undefined) ctx.ui.out(`schedule: ${campaign.schedule}`);
  if (campaign.status === 'scheduled') ctx.ui.out(describeWait(campaign, (await readPlanSettings(ctx)).timezone));
  if (campaign.stopReason !== undefined) ctx.ui.out(`stopped: ${campaign.stopReason}`);
  const zone = await displayZone(ctx);
  ctx.ui.out(`created: ${tableTime(campaign.createdAt, zone)}${campaign.startedAt ? `, started ${tableTime(campaign.startedAt, zone)}` : ''}${campaign.finishedAt ? `, finished ${tableTime(campaign.finishedAt, zone)}` : ''} (${zone})`);
  printReport(ctx.ui, report, false);
}

/** Cancels a campaign that is not finished: a later resume refuses it. Asks first (or --yes). */
export async function runCampaignCancel(id: string, ctx: Context): Promise<void> {
  await ctx.prepareHome();
  const campaign = await loadCampaign(ctx.paths.home, id);
  if (campaign.status === 'completed' || campaign.status === 'cancelled') {
    throw new CanaleError('CAMPAIGN_FINISHED', `campaign ${id} is already ${campaign.status}; there is nothing to cancel`);
  }
  await ctx.confirm(`Cancel campaign ${id} (${campaign.status})? Recipients not yet reached will not get it`, `canale campaigns cancel ${id} --yes`);
  // a send that is running holds the send lock: it must be stopped (Ctrl-C) before its campaign can be cancelled
  await withSendLock(ctx.paths.home, sendLockHolder(ctx, id), () =>
    saveCampaign(ctx.paths.home, { ...campaign, status: 'cancelled', finishedAt: campaign.finishedAt ?? ctx.now() }),
  );
  ctx.ui.success(`cancelled ${id}`);
}

export function registerCampaigns(program: Command, app: App): void {
  const campaigns = withExamples(program.command('campaigns').description('sends that were made: list, show, cancel'), ['canale campaigns list', 'canale campaigns show cmp_7k3m9q2xaa']);
  withExamples(campaigns.command('list').description('every campaign, oldest first').option('--json', 'print JSON'), ['canale campaigns list', 'canale campaigns list --json']).action(
    app.action(async (flags: { json?: boolean }, ctx: Context) => runCampaignsList({ json: flags.json === true }, ctx)),
  );
  withExamples(campaigns.command('show').argument('<id>', 'campaign id').description('a campaign: message, audience, transports and report').option('--json', 'print JSON'), [
    'canale campaigns show cmp_7k3m9q2xaa',
  ]).action(app.action(async (id: string, flags: { json?: boolean }, ctx: Context) => runCampaignShow(checkId('campaign', id, 'campaigns show ID'), { json: flags.json === true }, ctx)));
  withExamples(campaigns.command('cancel').argument('<id>', 'campaign id').description('cancel an unfinished campaign (asks first, or --yes)'), [
    'canale campaigns cancel cmp_7k3m9q2xaa',
    'canale campaigns cancel cmp_7k3m9q2xaa --yes',
  ]).action(app.action(async (id: string, _flags: unknown, ctx: Context) => runCampaignCancel(checkId('campaign', id, 'campaigns cancel ID'), ctx)));
}
