import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { campaignDir } from '../../src/adapters/campaign/campaign-files.js';
import { loadCampaign } from '../../src/adapters/campaign/campaign-store.js';
import type { CampaignId } from '../../src/core/campaign.js';

let dir: string;
let home: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-ids-'));
  home = join(dir, 'home');
  await mkdir(join(home, 'campaigns'), { recursive: true });
  await writeFile(join(home, 'db.json'), '{}\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('campaignDir', () => {
  it.each(['../x', '../../etc', '/etc', 'cmp_a/../../x', '.cmp_x.tmp', 'cmp_x\0', '', 'CMP_X'])('refuses %j: not a plain campaign id', (id) => {
    expect(() => campaignDir(home, id as CampaignId)).toThrow(expect.objectContaining({ code: 'CAMPAIGN_ID_INVALID' }));
  });

  it('so loading a campaign never reads a record outside the home', async () => {
    await mkdir(join(dir, 'x'));
    await writeFile(join(dir, 'x', 'campaign.json'), '{}');
    await expect(loadCampaign(home, '../../x')).rejects.toMatchObject({ code: 'CAMPAIGN_ID_INVALID' });
    expect(campaignDir(home, 'cmp_7k3m9q2xaa' as CampaignId)).toBe(join(home, 'campaigns', 'cmp_7k3m9q2xaa'));
  });
});

describe('loadCampaign', () => {
  it('refuses a record whose id is not its folder: saving it would write another campaign', async () => {
    await mkdir(join(home, 'campaigns', 'cmp_copy'), { recursive: true });
    const record = { version: 1, id: 'cmp_real', status: 'interrupted', message: { source: 'm.md', topics: ['cantieri'], body: 'x' }, query: { topics: ['cantieri'], where: [], channel: 'preferred' }, channels: ['email'], transports: { email: 'outbox' }, recipients: 0, plannedSkips: [], createdAt: '2026-11-28T09:00:00.000Z' };
    await writeFile(join(home, 'campaigns', 'cmp_copy', 'campaign.json'), JSON.stringify(record));
    await expect(loadCampaign(home, 'cmp_copy')).rejects.toMatchObject({ code: 'CAMPAIGN_DAMAGED', message: expect.stringContaining('campaign.json is the record of campaign "cmp_real", not of this folder') });
    await mkdir(join(home, 'campaigns', 'cmp_real'));
    await writeFile(join(home, 'campaigns', 'cmp_real', 'campaign.json'), JSON.stringify(record));
    expect((await loadCampaign(home, 'cmp_real')).status).toBe('interrupted');
  });
});
