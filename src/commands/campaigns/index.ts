import type { Command } from 'commander';
import type { Campaign } from '../../core/campaign.js';
import { CanaleError } from '../../core/errors.js';
import { checkId } from '../../core/ids.js';
import type { CampaignReport } from '../../core/report.js';
import { tableTime } from '../../ui/local-time.js';
import { printTable } from '../../ui/table.js';
import { withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { displayZone } from '../display-zone.js';
import type { Persistence } from '../../core/ports.js';
import { campaignOrLast } from '../../sending/campaign-state.js';
import { readPlanSettings } from '../../sending/plan-settings.js';
import { describeWait } from '../../sending/send-window.js';
import { printReport } from '../send-printout.js';

/** One row of `campaigns list`: a campaign and its counts, or a folder that cannot be read and what is wrong (DESIGN §10). */
type ListRow =
  | { readonly id: string; readonly status: Campaign['status']; readonly createdAt: string; readonly topics: readonly string[]; readonly channels: readonly string[]; readonly counts: CampaignReport['counts'] }
  | { readonly id: string; readonly status: 'damaged'; readonly problem: string };

async function rowOf(ports: Persistence, c: Campaign): Promise<ListRow> {
  try {
    const { report } = await ports.campaigns.state(c);
    return { id: c.id, status: c.status, createdAt: c.createdAt, topics: c.query.topics, channels: c.channels, counts: report.counts };
  } catch (error) {
    if (error instanceof CanaleError && error.code === 'CAMPAIGN_DAMAGED') return { id: c.id, status: 'damaged', problem: error.message };
    throw error;
  }
}

/**
 * Every campaign, oldest first, CREATED in `timezone`; `{ id, status, createdAt, topics, channels, counts }` with
 * --json (DESIGN §10, UTC). A folder that cannot be read is listed after them as `{ id, status: "damaged", problem }`.
 */
export async function runCampaignsList(options: { readonly json: boolean }, ctx: Context): Promise<void> {
  const ports = await ctx.ports();
  const scanned = await ports.campaigns.scan();
  const campaigns = await ports.locks.withLiveStatus(scanned.campaigns);
  const rows: ListRow[] = [...(await Promise.all(campaigns.map((c) => rowOf(ports, c)))), ...scanned.damaged.map((d) => ({ ...d, status: 'damaged' as const }))];
  // readable ones oldest first, then the damaged ones (which have no reliable creation time) by id
  const ordered = [...rows.filter((r) => !('problem' in r)), ...rows.filter((r) => 'problem' in r).sort((a, b) => a.id.localeCompare(b.id))];
  if (options.json) {
    ctx.ui.json(ordered);
    return;
  }
  const zone = await displayZone(ctx);
  printTable(
    ctx.ui,
    ['ID', 'STATUS', 'CREATED', 'TOPICS', 'TARGETED', 'SENT', 'FAILED'],
    ordered.map((r) =>
      'problem' in r
        ? [r.id, r.status, '-', '-', '-', '-', '-']
        : [r.id, r.status, tableTime(r.createdAt, zone), r.topics.join(','), String(r.counts.targeted), String(r.counts.sent), String(r.counts.failed)],
    ),
  );
  for (const r of ordered) if ('problem' in r) ctx.ui.warn(`campaign ${r.id} is damaged: ${r.problem} — clear it with: canale campaigns cancel ${r.id}`);
  if (rows.length === 0) ctx.ui.info('no campaigns yet — send one with: canale send --topic T --message FILE');
}

export async function runCampaignShow(id: string, options: { readonly json: boolean }, ctx: Context): Promise<void> {
  const { campaign, report } = await campaignOrLast(await ctx.ports(), id, (line) => ctx.ui.warn(line));
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

/**
 * Cancels a campaign that is not finished: a later resume refuses it. Asks first (or --yes). A damaged campaign
 * folder (DESIGN §5) cannot be cancelled in its record: it is removed, with its files, after the same question.
 */
export async function runCampaignCancel(id: string, ctx: Context): Promise<void> {
  const ports = await ctx.ports();
  const damaged = await problemOf(ports, id);
  if (damaged !== undefined) return removeDamaged(ports, id, damaged, ctx);
  const campaign = await ports.campaigns.load(id);
  if (campaign.status === 'completed' || campaign.status === 'cancelled') {
    throw new CanaleError('CAMPAIGN_FINISHED', `campaign ${id} is already ${campaign.status}; there is nothing to cancel`);
  }
  await ctx.confirm(`Cancel campaign ${id} (${campaign.status})? Recipients not yet reached will not get it`, `canale campaigns cancel ${id} --yes`);
  // a send that is running holds the send lock: it must be stopped (Ctrl-C) before its campaign can be cancelled
  await ports.locks.withSendLock(lockRequest(ctx, id), () => ports.campaigns.save({ ...campaign, status: 'cancelled', finishedAt: campaign.finishedAt ?? ctx.now() }));
  ctx.ui.success(`cancelled ${id}`);
}

/** What makes campaign `id` unreadable — its folder, or its recipient list — or undefined when it can be read (or is not there). */
async function problemOf(ports: Persistence, id: string): Promise<string | undefined> {
  const folder = await ports.campaigns.inspect(id);
  if (folder.kind === 'damaged') return folder.problem;
  if (folder.kind === 'missing') return undefined;
  const row = await rowOf(ports, folder.campaign);
  return 'problem' in row ? row.problem : undefined;
}

/** Who takes the send lock to change a campaign: this command, now; waiting for a crashed send's lock is said. */
function lockRequest(ctx: Context, campaign: string): { readonly campaign: string; readonly startedAt: string; readonly onWait: (m: string) => void } {
  return { campaign, startedAt: ctx.now(), onWait: (m) => ctx.ui.info(m) };
}

async function removeDamaged(ports: Persistence, id: string, problem: string, ctx: Context): Promise<void> {
  const dir = ports.campaigns.whereIs(id);
  await ctx.confirm(`Campaign ${id} is damaged (${problem}). Remove its folder ${dir} and every file in it?`, `canale campaigns cancel ${id} --yes`);
  await ports.locks.withSendLock(lockRequest(ctx, id), async () => {
    // under the lock, checked again: only a folder that is still unreadable is removed
    if ((await problemOf(ports, id)) === undefined) throw new CanaleError('CAMPAIGN_CHANGED', `campaign ${id} can be read again — nothing was removed; see: canale campaigns show ${id}`);
    await ports.campaigns.remove(id);
  });
  ctx.ui.success(`removed the damaged campaign ${id} (${dir})`);
}

export function registerCampaigns(program: Command, app: App): void {
  const campaigns = withExamples(program.command('campaigns').description('sends that were made: list, show, cancel'), ['canale campaigns list', 'canale campaigns show cmp_7k3m9q2xaa']);
  withExamples(campaigns.command('list').description('every campaign, oldest first').option('--json', 'print JSON'), ['canale campaigns list', 'canale campaigns list --json']).action(
    app.action(async (flags: { json?: boolean }, ctx: Context) => runCampaignsList({ json: flags.json === true }, ctx)),
  );
  withExamples(campaigns.command('show').argument('<id>', 'campaign id').description('a campaign: message, audience, transports and report').option('--json', 'print JSON'), [
    'canale campaigns show cmp_7k3m9q2xaa',
  ]).action(app.action(async (id: string, flags: { json?: boolean }, ctx: Context) => runCampaignShow(checkId('campaign', id, 'campaigns show ID'), { json: flags.json === true }, ctx)));
  withExamples(campaigns.command('cancel').argument('<id>', 'campaign id').description('cancel an unfinished campaign, or remove a damaged one (asks first, or --yes)'), [
    'canale campaigns cancel cmp_7k3m9q2xaa',
    'canale campaigns cancel cmp_7k3m9q2xaa --yes',
  ]).action(app.action(async (id: string, _flags: unknown, ctx: Context) => runCampaignCancel(checkId('campaign', id, 'campaigns cancel ID'), ctx)));
}
