import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Campaign, CampaignId } from '../../core/campaign.js';
import { CanaleError } from '../../core/errors.js';
import { frozenTemplateUseSchema } from '../../core/message/message-spec.js';
import { isCampaignId } from '../../core/ids.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { campaignDir, recipientsFile } from './campaign-files.js';

const skipReason = z.enum(['opted-out', 'opted-out-of-topic', 'opted-out-during-send', 'marketing-stopped', 'no-address', 'unreachable', 'channel-not-in-message']);
const channel = z.enum(['whatsapp', 'email']);
const transport = z.enum(['cloud-api', 'smtp', 'outbox']);

/** A message as frozen in a campaign or a schedule. */
export const messageSpecSchema = z.strictObject({
  source: z.string(),
  topics: z.array(z.string()),
  subject: z.string().optional(),
  channels: z.array(channel).optional(),
  whatsapp: frozenTemplateUseSchema.optional(),
  body: z.string(),
});

/** Who a campaign or a schedule is for. */
export const audienceQuerySchema = z.strictObject({
  topics: z.array(z.string()),
  where: z.array(z.strictObject({ key: z.string(), value: z.string() })),
  channel: z.enum(['preferred', 'all', 'whatsapp', 'email']),
});

export const transportSchema = transport;

const count = z.number().int().nonnegative();
const throttling = z.strictObject({ answers: count, slowdowns: count, lowestRate: z.number().nonnegative() });

const campaignSchema = z.strictObject({
  version: z.literal(1),
  id: z.string().min(1),
  status: z.enum(['draft', 'scheduled', 'sending', 'interrupted', 'completed', 'cancelled']),
  message: messageSpecSchema,
  query: audienceQuerySchema,
  channels: z.array(channel),
  transports: z.strictObject({ whatsapp: transport.optional(), email: transport.optional() }),
  recipients: z.number().int().nonnegative(),
  plannedSkips: z.array(z.strictObject({ reason: skipReason, count: z.number().int().nonnegative() })),
  urgent: z.boolean().optional(),
  split: z.boolean().optional(),
  allowFreeText: z.boolean().optional(),
  // its own pace; absent in records written before canale kept it, which resume at the settings' rates
  rates: z.strictObject({ whatsapp: z.number().positive().optional(), email: z.number().positive().optional() }).optional(),
  concurrency: z.number().int().positive().optional(),
  schedule: z.string().optional(),
  resumeAt: z.string().optional(),
  waitingFor: z.enum(['quiet-hours', 'daily-limit']).optional(),
  stopCode: z.string().optional(),
  throttling: z.strictObject({ whatsapp: throttling.optional(), email: throttling.optional() }).optional(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  stopReason: z.string().optional(),
});

const campaignFile = (home: string, id: CampaignId): string => join(campaignDir(home, id), 'campaign.json');

/** A folder under `campaigns/` that cannot be read as a campaign, and what is wrong with it. */
export interface DamagedCampaign {
  readonly id: string;
  readonly problem: string;
}

/** A campaign folder as it stands: its record, what is wrong with it, or nothing there. */
export type CampaignFolder = { readonly kind: 'ok'; readonly campaign: Campaign } | { readonly kind: 'damaged'; readonly problem: string } | { readonly kind: 'missing' };

/**
 * Campaign records live in their campaign's folder (`campaigns/<id>/campaign.json`), beside the frozen list and
 * the journal, not in db.json: a send changes its campaign's status several times, and rewriting a store of a
 * million subscribers for each change would cost seconds and hold the store's lock.
 */
export async function saveCampaign(home: string, campaign: Campaign): Promise<void> {
  await writeFileAtomic(campaignFile(home, campaign.id), campaignJson(campaign));
}

/** The text of `campaign.json`. */
export function campaignJson(campaign: Campaign): string {
  return `${JSON.stringify({ version: 1, ...campaign }, null, 2)}\n`;
}

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/**
 * Reads a campaign folder without throwing for what a crash, a full disk or a hand edit can leave: a folder without
 * `campaign.json`, one that is not JSON or not of the schema, a record of another id, a missing recipient list.
 */
export async function readCampaignFolder(home: string, id: string): Promise<CampaignFolder> {
  const dir = campaignDir(home, id as CampaignId);
  const info = await stat(dir).catch((error: unknown) => (errnoOf(error) === 'ENOENT' ? undefined : Promise.reject(error)));
  if (info === undefined) return { kind: 'missing' };
  if (!info.isDirectory()) return { kind: 'damaged', problem: 'it is a file, not a campaign folder' };
  let text: string;
  try {
    text = await readFile(campaignFile(home, id as CampaignId), 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { kind: 'damaged', problem: 'its folder has no campaign.json: a send was stopped while making it, or files were removed' };
    return { kind: 'damaged', problem: `campaign.json cannot be read (${errnoOf(error) ?? String(error)})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'damaged', problem: `campaign.json is not valid JSON (${(error as Error).message})` };
  }
  const record = campaignRecordOf(json, id, { record: 'campaign.json', place: 'this folder' });
  if (record.kind !== 'ok') return record;
  const { campaign } = record;
  if (campaign.recipients > 0 && !(await stat(recipientsFile(dir)).then((s) => s.isFile(), () => false))) {
    return { kind: 'damaged', problem: 'its recipient list (recipients.jsonl) is missing' };
  }
  return record;
}

/**
 * A stored campaign record (`campaign.json`'s JSON, a database row's) checked against the schema and its id: the
 * campaign, or what is wrong with it, `names` saying what the record and its place are called in the problem.
 */
export function campaignRecordOf(json: unknown, id: string, names: { readonly record: string; readonly place: string }): CampaignFolder {
  const parsed = campaignSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'damaged', problem: `${names.record} is not a campaign record: ${issue?.path.join('.') || 'the record'}: ${issue?.message ?? 'invalid'}` };
  }
  const { version: _version, ...campaign } = parsed.data;
  if (campaign.id !== id) return { kind: 'damaged', problem: `${names.record} is the record of campaign "${campaign.id}", not of ${names.place}` };
  return { kind: 'ok', campaign: campaign as unknown as Campaign };
}

/** What a person reads about a damaged campaign: what is wrong, and how to clear it. */
export function damagedCampaignError(home: string, id: string, problem: string): CanaleError {
  return damagedError(id, problem, `its folder ${campaignDir(home, id as CampaignId)}`);
}

/** The damaged-campaign error of any store: `what` names what clearing it removes. */
export function damagedError(id: string, problem: string, what: string): CanaleError {
  return new CanaleError('CAMPAIGN_DAMAGED', `campaign ${id} is damaged: ${problem} — it cannot be shown, resumed or reported; clear it with: canale campaigns cancel ${id} (removes ${what})`);
}

/** CAMPAIGN_NOT_FOUND, naming how to see the campaigns there are. */
export function campaignNotFound(id: string): CanaleError {
  return new CanaleError('CAMPAIGN_NOT_FOUND', `there is no campaign "${id}" — see them with: canale campaigns list`);
}

export async function loadCampaign(home: string, id: string): Promise<Campaign> {
  const folder = await readCampaignFolder(home, id);
  switch (folder.kind) {
    case 'ok':
      return folder.campaign;
    case 'damaged':
      throw damagedCampaignError(home, id, folder.problem);
    case 'missing':
      throw campaignNotFound(id);
    default: {
      const unreachable: never = folder;
      return unreachable;
    }
  }
}

/**
 * Every campaign folder, the readable ones oldest first, and those that cannot be read (DESIGN §5): one damaged
 * folder is one damaged campaign, never a reason for a command to fail. Names that are not campaign ids are not
 * campaigns: `.tmp-…` folders are freezes not finished (see campaign-freeze.ts), others are not canale's.
 */
export async function scanCampaigns(home: string): Promise<{ campaigns: Campaign[]; damaged: DamagedCampaign[] }> {
  let ids: string[];
  try {
    ids = await readdir(join(home, 'campaigns'));
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { campaigns: [], damaged: [] };
    throw error;
  }
  // a name that is no campaign id (`.tmp-…`, a folder someone put there) is not a campaign canale made: not read
  const folders = await Promise.all(ids.filter((id) => isCampaignId(id)).map(async (id) => ({ id, folder: await readCampaignFolder(home, id) })));
  const campaigns: Campaign[] = [];
  const damaged: DamagedCampaign[] = [];
  for (const { id, folder } of folders) {
    if (folder.kind === 'ok') campaigns.push(folder.campaign);
    else if (folder.kind === 'damaged') damaged.push({ id, problem: folder.problem });
  }
  campaigns.sort(oldestFirst);
  damaged.sort((a, b) => a.id.localeCompare(b.id));
  return { campaigns, damaged };
}

/** The order campaigns are listed in: by creation, then by id. */
export const oldestFirst = (a: Campaign, b: Campaign): number => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

/** Every campaign that can be read, oldest first; damaged folders are left out (scanCampaigns names them). */
export async function listCampaigns(home: string): Promise<Campaign[]> {
  return (await scanCampaigns(home)).campaigns;
}
