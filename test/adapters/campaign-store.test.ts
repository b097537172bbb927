import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCampaign, saveCampaign } from '../../src/adapters/campaign/campaign-store.js';
import type { Campaign, CampaignId } from '../../src/core/campaign.js';

let home = '';

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'canale-campaign-store-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const campaign: Campaign = {
  id: 'cmp_1' as CampaignId,
  status: 'interrupted',
  message: { source: 'm.md', topics: ['cantieri'], body: 'x' },
  query: { topics: ['cantieri'], where: [], channel: 'preferred' },
  channels: ['whatsapp'],
  transports: { whatsapp: 'cloud-api' },
  recipients: 3,
  plannedSkips: [],
  createdAt: '2026-11-28T09:00:00.000Z',
};

describe('campaign records', () => {
  it('keep the campaign\'s own pace and sending options', async () => {
    const paced: Campaign = { ...campaign, rates: { whatsapp: 20 }, concurrency: 4, allowFreeText: true, urgent: true, split: true };
    await mkdir(join(home, 'campaigns', 'cmp_1'), { recursive: true }); // a send freezes the folder first
    await writeFile(join(home, 'campaigns', 'cmp_1', 'recipients.jsonl'), '');
    await saveCampaign(home, paced);
    expect(await loadCampaign(home, 'cmp_1')).toEqual(paced);
  });

  it('written before canale kept the pace, still load, without one', async () => {
    await mkdir(join(home, 'campaigns', 'cmp_1'), { recursive: true });
    await writeFile(join(home, 'campaigns', 'cmp_1', 'recipients.jsonl'), '');
    await writeFile(join(home, 'campaigns', 'cmp_1', 'campaign.json'), JSON.stringify({ version: 1, ...campaign }));
    const loaded = await loadCampaign(home, 'cmp_1');
    expect(loaded).toEqual(campaign);
    expect(loaded.rates).toBeUndefined();
  });

  it('refuses a pace that is not one', async () => {
    await mkdir(join(home, 'campaigns', 'cmp_1'), { recursive: true });
    await writeFile(join(home, 'campaigns', 'cmp_1', 'campaign.json'), JSON.stringify({ version: 1, ...campaign, rates: { whatsapp: 0 } }));
    await expect(loadCampaign(home, 'cmp_1')).rejects.toMatchObject({ code: 'CAMPAIGN_DAMAGED' });
  });
});
