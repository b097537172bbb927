import type { Delivery } from '../../src/core/audience.js';
import type { Campaign, CampaignId } from '../../src/core/campaign.js';
import type { Channel, SubscriberId } from '../../src/core/subscriber.js';

/** A campaign record as a send freezes it; override what the test is about. */
export function aCampaign(overrides: Partial<Omit<Campaign, 'id'>> & { readonly id: string }): Campaign {
  return {
    status: 'sending',
    message: { source: 'carta.md', topics: ['cantieri'], body: 'Lavori in via Roma' },
    query: { topics: ['cantieri'], where: [], channel: 'preferred' },
    channels: ['whatsapp'],
    transports: { whatsapp: 'cloud-api' },
    recipients: 0,
    plannedSkips: [],
    createdAt: '2026-11-28T09:00:00.000Z',
    ...overrides,
    id: overrides.id as CampaignId,
  };
}

/** A frozen list: `sub_a:whatsapp`-style entries, in send order. */
export function aList(...entries: readonly string[]): Delivery[] {
  return entries.map((entry) => {
    const [id, channel] = entry.split(':');
    return { subscriberId: id as SubscriberId, channel: (channel ?? 'whatsapp') as Channel };
  });
}
