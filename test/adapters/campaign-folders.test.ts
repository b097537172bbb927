import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCampaignState } from '../../src/adapters/campaign/campaign-files.js';
import { reportAccountTrouble } from '../../src/adapters/campaign/account-trouble.js';
import { freezeCampaign } from '../../src/adapters/campaign/campaign-freeze.js';
import { HomeCampaignStore } from '../../src/adapters/campaign/home-campaign-store.js';
import { FakeClock } from '../support/fake-deps.js';
import { accountTroubleCheck } from '../../src/commands/campaigns/campaigns-check.js';
import { loadCampaign, scanCampaigns } from '../../src/adapters/campaign/campaign-store.js';
import { recentWhatsAppRecipients } from '../../src/adapters/campaign/whatsapp-usage.js';
import type { Delivery } from '../../src/core/audience.js';
import type { Campaign, CampaignId } from '../../src/core/campaign.js';
import type { SubscriberId } from '../../src/core/subscriber.js';

let home = '';
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'canale-folders-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const NOW = new Date('2026-12-01T10:00:00Z');

function aCampaign(id: string, deliveries: readonly Delivery[]): Campaign {
  return {
    id: id as CampaignId,
    status: 'completed',
    message: { source: 'avviso.md', topics: ['cantieri'], body: 'Via Roma chiusa' },
    query: { topics: ['cantieri'], where: [], channel: 'preferred' },
    channels: ['whatsapp'],
    transports: { whatsapp: 'outbox' },
    recipients: deliveries.length,
    plannedSkips: [],
    createdAt: '2026-12-01T09:00:00.000Z',
    startedAt: '2026-12-01T09:00:00.000Z',
    finishedAt: '2026-12-01T09:01:00.000Z',
  };
}

const two: Delivery[] = [
  { subscriberId: 'sub_a' as SubscriberId, channel: 'whatsapp' },
  { subscriberId: 'sub_b' as SubscriberId, channel: 'whatsapp' },
];
const folder = (id: string) => join(home, 'campaigns', id);

describe('freezing a campaign', () => {
  it('writes the record, the list and an empty journal in one rename, leaving no temporary folder', async () => {
    await freezeCampaign(home, aCampaign('cmp_a', two), two);
    expect((await readdir(folder('cmp_a'))).sort()).toEqual(['campaign.json', 'journal.jsonl', 'recipients.jsonl']);
    expect(await readFile(join(folder('cmp_a'), 'recipients.jsonl'), 'utf8')).toBe('["sub_a","whatsapp"]\n["sub_b","whatsapp"]\n');
    expect((await stat(folder('cmp_a'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(folder('cmp_a'), 'recipients.jsonl'))).mode & 0o777).toBe(0o600);
    expect((await loadCampaign(home, 'cmp_a')).recipients).toBe(2);
    expect(await readdir(join(home, 'campaigns'))).toEqual(['cmp_a']);
  });

  it("removes what killed freezes left, replaces a half-made folder of the same id, and never a real campaign", async () => {
    await mkdir(join(home, 'campaigns', '.tmp-cmp_old-0001'), { recursive: true });
    await mkdir(folder('cmp_b'));
    await writeFile(join(folder('cmp_b'), '.recipients.jsonl.1a2b.tmp'), '["sub_a"');
    await freezeCampaign(home, aCampaign('cmp_b', two), two);
    expect((await readdir(join(home, 'campaigns'))).sort()).toEqual(['cmp_b']);
    expect((await readdir(folder('cmp_b'))).sort()).toEqual(['campaign.json', 'journal.jsonl', 'recipients.jsonl']);
    await expect(freezeCampaign(home, aCampaign('cmp_b', []), [])).rejects.toThrow(/already exists/);
    expect((await loadCampaign(home, 'cmp_b')).recipients).toBe(2);
    expect((await readdir(join(home, 'campaigns'))).sort()).toEqual(['cmp_b']);
  });
});

describe('reading campaign folders', () => {
  it('names every folder it cannot read as one damaged campaign, and reads the others', async () => {
    await freezeCampaign(home, aCampaign('cmp_ok', two), two);
    await mkdir(folder('cmp_empty'), { recursive: true });
    await mkdir(folder('cmp_json'));
    await writeFile(join(folder('cmp_json'), 'campaign.json'), '{"version":1,');
    await mkdir(folder('cmp_schema'));
    await writeFile(join(folder('cmp_schema'), 'campaign.json'), JSON.stringify({ version: 1, id: 'cmp_schema', status: 'lost' }));
    await mkdir(folder('cmp_other'));
    await writeFile(join(folder('cmp_other'), 'campaign.json'), JSON.stringify({ version: 1, ...aCampaign('cmp_ok', []) }));
    await mkdir(folder('cmp_nolist'));
    await writeFile(join(folder('cmp_nolist'), 'campaign.json'), JSON.stringify({ version: 1, ...aCampaign('cmp_nolist', two) }));
    await writeFile(folder('cmp_file'), 'not a folder');
    await mkdir(join(home, 'campaigns', '.tmp-cmp_half-0002'));

    const { campaigns, damaged } = await scanCampaigns(home);
    expect(campaigns.map((c) => c.id)).toEqual(['cmp_ok']);
    expect(Object.fromEntries(damaged.map((d) => [d.id, d.problem]))).toEqual({
      cmp_empty: expect.stringMatching(/has no campaign\.json/),
      cmp_file: expect.stringMatching(/a file, not a campaign folder/),
      cmp_json: expect.stringMatching(/campaign\.json is not valid JSON/),
      cmp_nolist: expect.stringMatching(/recipients\.jsonl\) is missing/),
      cmp_other: expect.stringMatching(/record of campaign "cmp_ok"/),
      cmp_schema: expect.stringMatching(/campaign\.json is not a campaign record: status/),
    });
    await expect(loadCampaign(home, 'cmp_empty')).rejects.toThrow(/campaign cmp_empty is damaged: .*canale campaigns cancel cmp_empty/);
    await expect(loadCampaign(home, 'cmp_none')).rejects.toThrow(/there is no campaign "cmp_none"/);
  });

  it('takes a recipient list that is broken, or shorter than its record, for damage', async () => {
    const campaign = aCampaign('cmp_list', two);
    await freezeCampaign(home, campaign, two);
    await writeFile(join(folder('cmp_list'), 'recipients.jsonl'), '["sub_a","whatsapp"]\n{"torn\n');
    await expect(readCampaignState(home, campaign)).rejects.toMatchObject({ code: 'CAMPAIGN_DAMAGED', message: 'recipients.jsonl line 2 is not a recipient' });
    await writeFile(join(folder('cmp_list'), 'recipients.jsonl'), '["sub_a","whatsapp"]\n');
    await expect(readCampaignState(home, campaign)).rejects.toMatchObject({ code: 'CAMPAIGN_DAMAGED', message: expect.stringMatching(/has 1 recipient\(s\), its record says 2/) });
  });

  it('leaves damaged folders out of the daily tier count', async () => {
    await freezeCampaign(home, aCampaign('cmp_ok', two), two);
    await writeFile(join(folder('cmp_ok'), 'journal.jsonl'), `${JSON.stringify({ i: 0, s: 'sent', id: 'wamid.1', at: '2026-12-01T09:00:10.000Z' })}\n`);
    await mkdir(folder('cmp_x'));
    const recent = await recentWhatsAppRecipients(home, NOW);
    expect([...recent.keys()]).toEqual(['sub_a']);
  });
});

describe('account trouble a receipt reported', () => {
  it('is named by doctor with what to do, for a campaign it stopped; nothing when there is none or it is old', async () => {
    await freezeCampaign(home, { ...aCampaign('cmp_pay', two), status: 'interrupted' }, two);
    expect(await accountTroubleCheck(new HomeCampaignStore(home, new FakeClock()), NOW)).toBeUndefined();
    const payment = { kind: 'fatal', code: 'WHATSAPP_PAYMENT', reason: 'a business eligibility or payment-method problem — check billing in WhatsApp Manager' } as const;
    await reportAccountTrouble(home, 'cmp_pay', payment, '2026-12-01T09:30:00.000Z');
    expect(await accountTroubleCheck(new HomeCampaignStore(home, new FakeClock()), NOW)).toEqual({
      name: 'whatsapp account',
      ok: false,
      detail: 'WhatsApp reported trouble with the account in receipts of 1 campaign(s): cmp_pay (interrupted): WHATSAPP_PAYMENT at 2026-12-01T09:30:00.000Z: a business eligibility or payment-method problem — check billing in WhatsApp Manager — fix it in WhatsApp Manager, then: canale send --resume cmp_pay',
    });
    expect(await accountTroubleCheck(new HomeCampaignStore(home, new FakeClock()), new Date('2026-12-20T10:00:00Z'))).toBeUndefined();
  });
});
