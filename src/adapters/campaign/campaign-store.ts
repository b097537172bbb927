import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Campaign, CampaignId } from '../../core/campaign.js';
import { CanaleError } from '../../core/errors.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { readJsonFile } from '../fs/json-file.js';
import { campaignDir } from './campaign-files.js';

const skipReason = z.enum(['opted-out', 'opted-out-of-topic', 'no-address', 'unreachable', 'channel-not-in-message']);
const channel = z.enum(['whatsapp', 'email']);
const transport = z.enum(['cloud-api', 'smtp', 'outbox']);

/** A message as frozen in a campaign or a schedule. */
export const messageSpecSchema = z.strictObject({
  source: z.string(),
  topics: z.array(z.string()),
  subject: z.string().optional(),
  channels: z.array(channel).optional(),
  whatsapp: z
    .strictObject({ template: z.string(), language: z.string(), params: z.union([z.array(z.string()), z.record(z.string(), z.string())]) })
    .optional(),
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

/**
 * Campaign records live in their campaign's folder (`campaigns/<id>/campaign.json`), beside the frozen list and
 * the journal, not in db.json: a send changes its campaign's status several times, and rewriting a store of a
 * million subscribers for each change would cost seconds and hold the store's lock.
 */
export async function saveCampaign(home: string, campaign: Campaign): Promise<void> {
  await writeFileAtomic(campaignFile(home, campaign.id), `${JSON.stringify({ version: 1, ...campaign }, null, 2)}\n`);
}

export async function loadCampaign(home: string, id: string): Promise<Campaign> {
  const path = campaignFile(home, id as CampaignId);
  const data = await readJsonFile(path, campaignSchema, 'CAMPAIGN_DAMAGED');
  if (data === undefined) throw new CanaleError('CAMPAIGN_NOT_FOUND', `there is no campaign "${id}" — see them with: canale campaigns list`);
  // saving writes to the folder of the record's own id: a record copied from another folder must not be saved there
  if (data.id !== id) throw new CanaleError('CAMPAIGN_DAMAGED', `${path} is damaged: id: it says "${data.id.slice(0, 60)}", not "${id}", the folder it is in — canale will not overwrite it`);
  const { version: _version, ...campaign } = data;
  return campaign as unknown as Campaign;
}

/** Every campaign, oldest first. */
export async function listCampaigns(home: string): Promise<Campaign[]> {
  let ids: string[];
  try {
    ids = await readdir(join(home, 'campaigns'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const campaigns = await Promise.all(ids.filter((id) => !id.startsWith('.')).map((id) => loadCampaign(home, id)));
  return campaigns.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}
