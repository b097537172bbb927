import { describe, expect, it } from 'vitest';
import { countReplies, describeReplyTraffic, replyTraffic } from '../../src/core/reply-traffic.js';

const at = (day: string) => new Date(`${day}T12:00:00.000Z`);

describe('reply traffic: answers to citizens per day', () => {
  it('counts by UTC day and keeps the last 31 days only', () => {
    let days = countReplies(undefined, at('2026-11-01'), 2);
    days = countReplies(days, at('2026-11-20'), 1);
    days = countReplies(days, at('2026-12-01'), 3);
    expect(days).toEqual({ '2026-11-01': 2, '2026-11-20': 1, '2026-12-01': 3 });
    expect(countReplies(days, at('2026-12-02'), 1)).toEqual({ '2026-11-20': 1, '2026-12-01': 3, '2026-12-02': 1 });
    expect(countReplies(days, at('2026-12-02'), 0)).toBe(days);
    expect(countReplies(undefined, at('2026-12-02'), 0)).toBeUndefined();
  });

  it("totals today and the last 30 days, priced at price.whatsapp.service", () => {
    const days = { '2026-11-04': 100, '2026-11-05': 7, '2026-12-03': 2, '2026-12-04': 3 };
    const traffic = replyTraffic(days, at('2026-12-04'), { currency: 'EUR', service: 0.0125 });
    expect(traffic).toEqual({ today: 3, last30Days: 12, cost: { currency: 'EUR', last30Days: 0.15 } });
    expect(describeReplyTraffic(traffic)).toBe('3 answer(s) to citizens today, 12 in the last 30 days (est. 0.15 EUR at price.whatsapp.service)');
    expect(replyTraffic(undefined, at('2026-12-04'), { currency: 'EUR', service: 0 })).toEqual({ today: 0, last30Days: 0, cost: { currency: 'EUR', last30Days: 0 } });
  });
});
