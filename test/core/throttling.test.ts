import { describe, expect, it } from 'vitest';
import { addThrottling, type Campaign, type CampaignId } from '../../src/core/campaign.js';
import { RateWindow } from '../../src/core/dispatch/rate-window.js';
import { FakeScheduler } from '../support/fake-scheduler.js';

describe('RateWindow.throttling: what the provider’s "too fast" answers did, for the campaign record', () => {
  it('counts every answer, the halvings (at most one a second) and the lowest rate', async () => {
    const s = new FakeScheduler();
    const window = new RateWindow(80, s, s);
    expect(window.throttling).toEqual({ answers: 0, slowdowns: 0, lowestRate: 80 });
    window.slowDown();
    window.slowDown(); // an answer to a request already in flight: the same excess, not halved again
    await s.run(s.sleep(1_000));
    window.slowDown();
    expect(window.throttling).toEqual({ answers: 3, slowdowns: 2, lowestRate: 20 });
  });

  it('does not count a halving at the floor (a tenth of the rate)', async () => {
    const s = new FakeScheduler();
    const window = new RateWindow(80, s, s);
    for (let i = 0; i < 6; i++) {
      window.slowDown();
      await s.run(s.sleep(1_000));
    }
    expect(window.throttling).toEqual({ answers: 6, slowdowns: 4, lowestRate: 8 });
  });
});

describe('addThrottling', () => {
  const campaign = { id: 'cmp_1' as CampaignId } as Campaign;

  it('records zeros, so a send that met no throttling is known to have met none', () => {
    expect(addThrottling(campaign, { email: { answers: 0, slowdowns: 0, lowestRate: 20 } }).throttling).toEqual({ email: { answers: 0, slowdowns: 0, lowestRate: 20 } });
  });

  it('adds a resumed run to the earlier ones and keeps the lowest rate', () => {
    const first = addThrottling(campaign, { whatsapp: { answers: 5, slowdowns: 2, lowestRate: 20 } });
    const second = addThrottling(first, { whatsapp: { answers: 3, slowdowns: 1, lowestRate: 40 } });
    expect(second.throttling).toEqual({ whatsapp: { answers: 8, slowdowns: 3, lowestRate: 20 } });
    expect(addThrottling(second, { whatsapp: { answers: 0, slowdowns: 0, lowestRate: 80 } }).throttling).toEqual(second.throttling);
  });

  it('leaves a campaign with no channel run unchanged', () => {
    expect(addThrottling(campaign, {})).toBe(campaign);
  });
});
