import type { Campaign } from '../core/campaign.js';
import { CanaleError } from '../core/errors.js';
import type { CampaignState, Persistence } from '../core/ports.js';

/** What a report is made of: the campaign as it stands, its frozen list and its journal replayed. */
export type CampaignWithState = { readonly campaign: Campaign } & CampaignState;

/** A campaign's state; a list that cannot be read makes it a damaged campaign, said with how to clear it. */
async function stateOf(ports: Pick<Persistence, 'campaigns'>, campaign: Campaign): Promise<CampaignWithState> {
  try {
    return { campaign, ...(await ports.campaigns.state(campaign)) };
  } catch (error) {
    if (error instanceof CanaleError && error.code === 'CAMPAIGN_DAMAGED') throw ports.campaigns.damaged(campaign.id, error.message);
    throw error;
  }
}

/**
 * The campaign asked for, or the most recent one that can be read (damaged ones are skipped, and `warn` says
 * which), with its live status: one recorded `sending` whose send no longer runs is `interrupted`.
 */
export async function campaignOrLast(ports: Pick<Persistence, 'campaigns' | 'locks'>, id: string | undefined, warn: (line: string) => void): Promise<CampaignWithState> {
  const live = async (c: Campaign): Promise<Campaign> => (await ports.locks.withLiveStatus([c]))[0] ?? c;
  if (id !== undefined) return stateOf(ports, await live(await ports.campaigns.load(id)));
  const { campaigns, damaged } = await ports.campaigns.scan();
  const skipped = damaged.map((d) => d.id);
  let found: CampaignWithState | undefined;
  for (const campaign of [...campaigns].reverse()) {
    try {
      found = await stateOf(ports, await live(campaign));
      break;
    } catch (error) {
      if (!(error instanceof CanaleError && error.code === 'CAMPAIGN_DAMAGED')) throw error;
      skipped.push(campaign.id);
    }
  }
  if (skipped.length > 0) warn(`skipped ${skipped.length} damaged campaign(s): ${skipped.join(', ')} — see: canale campaigns list`);
  if (found === undefined) throw new CanaleError('NO_CAMPAIGNS', 'there are no campaigns yet — send one with: canale send --topic T --message FILE');
  return found;
}
