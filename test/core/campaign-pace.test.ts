import { describe, expect, it } from 'vitest';
import type { Campaign, CampaignId } from '../../src/core/campaign.js';
import { describePace, resumePace, type Pace } from '../../src/core/campaign-pace.js';

const at = '2026-11-28T09:00:00.000Z';
const base: Campaign = {
  id: 'cmp_1' as CampaignId,
  status: 'interrupted',
  message: { source: 'm.md', topics: ['cantieri'], body: 'x' },
  query: { topics: ['cantieri'], where: [], channel: 'preferred' },
  channels: ['whatsapp', 'email'],
  transports: { whatsapp: 'cloud-api', email: 'smtp' },
  recipients: 6,
  plannedSkips: [],
  createdAt: at,
};
/** The settings of today: what a campaign made before canale kept its pace goes at. */
const today: Pace = { rates: { whatsapp: 80, email: 20 }, concurrency: 20 };
const sentAt20: Campaign = { ...base, rates: { whatsapp: 20, email: 20 }, concurrency: 5 };

describe('resumePace', () => {
  it('goes on at the campaign\'s own pace, whatever the settings say now', () => {
    expect(resumePace(sentAt20, {}, today)).toEqual({ pace: { rates: { whatsapp: 20, email: 20 }, concurrency: 5 } });
  });

  it.each([
    [{ rate: 10 }, { whatsapp: 10, email: 10 }, 5],
    [{ concurrency: 2 }, { whatsapp: 20, email: 20 }, 2],
    [{ rate: 20, concurrency: 5 }, { whatsapp: 20, email: 20 }, 5],
  ])('a flag on the resume lowers it: %o', (asked, rates, concurrency) => {
    expect(resumePace(sentAt20, asked, today)).toEqual({ pace: { rates, concurrency } });
  });

  it('--rate is a ceiling per channel: 80 and 20 go on at 50 and 20 with --rate 50', () => {
    const mixed: Campaign = { ...base, rates: { whatsapp: 80, email: 20 }, concurrency: 20 };
    expect(resumePace(mixed, { rate: 50 }, today)).toEqual({ pace: { rates: { whatsapp: 50, email: 20 }, concurrency: 20 } });
  });

  it('refuses what could only be faster, naming the recorded pace', () => {
    expect(resumePace(sentAt20, { rate: 80 }, today)).toEqual({
      refused: '--rate 80: campaign cmp_1 was sent at 20/s on WhatsApp and 20/s by e-mail, and a resume goes on at its own pace or slower — drop --rate, or give a lower one',
    });
    expect(resumePace(sentAt20, { concurrency: 6 }, today)).toEqual({
      refused: '--concurrency 6: campaign cmp_1 was sent with 5 requests at a time, and a resume sends as many or fewer — drop --concurrency, or give a lower one',
    });
    const whatsappOnly: Campaign = { ...sentAt20, transports: { whatsapp: 'cloud-api' }, rates: { whatsapp: 20 } };
    expect(resumePace(whatsappOnly, { rate: 21 }, today)).toMatchObject({ refused: expect.stringContaining('was sent at 20/s on WhatsApp, and') });
  });

  it('a campaign made before canale kept its pace goes at what was asked, else the settings of today, as before', () => {
    expect(resumePace(base, {}, today)).toEqual({ pace: today });
    expect(resumePace(base, { rate: 500, concurrency: 40 }, today)).toEqual({ pace: { rates: { whatsapp: 500, email: 500 }, concurrency: 40 } });
  });

  it('says the pace of the channels it sends on', () => {
    expect(describePace({ ...sentAt20, transports: { whatsapp: 'cloud-api' } }, { rates: { whatsapp: 20, email: 20 }, concurrency: 5 })).toBe('WhatsApp 20/s, 5 request(s) at a time');
  });
});
