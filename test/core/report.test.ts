import { describe, expect, it } from 'vitest';
import type { Campaign, CampaignId } from '../../src/core/campaign.js';
import { applyRecord, emptyReplay, type JournalRecord } from '../../src/core/dispatch/journal-state.js';
import { buildReport } from '../../src/core/report.js';

const at = '2026-11-28T09:00:00.000Z';
const campaign: Campaign = {
  id: 'cmp_1' as CampaignId,
  status: 'completed',
  message: { source: 'm.md', topics: ['cantieri'], body: 'x' },
  query: { topics: ['cantieri'], where: [], channel: 'preferred' },
  channels: ['whatsapp', 'email'],
  transports: { whatsapp: 'cloud-api', email: 'smtp' },
  recipients: 6,
  plannedSkips: [{ reason: 'opted-out', count: 2 }],
  createdAt: at,
  startedAt: at,
  finishedAt: '2026-11-28T09:00:02.000Z',
};

describe('buildReport', () => {
  it('accounts for every recipient, per channel, with failures by code and skips by reason', () => {
    const replay = emptyReplay(6);
    const records: JournalRecord[] = [
      { i: 0, s: 'sent', id: 'a', at },
      { i: 0, s: 'read', at },
      { i: 1, s: 'sent', id: 'b', at },
      { i: 1, s: 'delivered', at },
      { i: 2, s: 'sent', id: 'c', at },
      { i: 3, s: 'failed', code: 'WHATSAPP_NOT_ON_WHATSAPP', kind: 'recipient', reason: 'not on WhatsApp', at },
      { i: 4, s: 'in-flight' },
      { i: 5, s: 'skipped', reason: 'no-address' },
    ];
    records.forEach((r) => applyRecord(replay, r));
    const report = buildReport(campaign, ['whatsapp', 'email', 'whatsapp', 'whatsapp', 'email', 'email'], replay);
    expect(report).toEqual({
      campaign: 'cmp_1',
      status: 'completed',
      counts: { targeted: 8, sent: 3, delivered: 2, read: 1, failed: 1, unknown: 1, skipped: 3 },
      byChannel: {
        whatsapp: { targeted: 3, sent: 2, delivered: 1, read: 1, failed: 1, unknown: 0, skipped: 0 },
        email: { targeted: 3, sent: 1, delivered: 1, read: 0, failed: 0, unknown: 1, skipped: 1 },
      },
      failures: [{ code: 'WHATSAPP_NOT_ON_WHATSAPP', reason: 'not on WhatsApp', count: 1 }],
      skipped: [
        { reason: 'opted-out', label: 'opted out of everything', count: 2 },
        { reason: 'no-address', label: 'no address for the channel', count: 1 },
      ],
      startedAt: at,
      finishedAt: '2026-11-28T09:00:02.000Z',
      rate: 1.5,
      urgent: false,
      unknownAdvice:
        '1 recipient(s) with an unknown outcome: their message was on its way when the send was killed, or its answer never came (a timeout, a reset), so the mail server may have accepted it (or not). ' +
        'canale send --resume cmp_1 --resend-unknown sends it to them again: those who did get it will get it twice',
    });
  });

  it.each([
    ['completed', true],
    ['interrupted', true],
    ['scheduled', true],
    // a running send's unknown are its requests in flight; a cancelled campaign cannot be resumed
    ['sending', false],
    ['cancelled', false],
  ] as const)('says what --resend-unknown would do for a %s campaign: %s', (status, advised) => {
    const replay = emptyReplay(2);
    applyRecord(replay, { i: 0, s: 'in-flight' });
    applyRecord(replay, { i: 1, s: 'in-flight' });
    const report = buildReport({ ...campaign, status, recipients: 2 }, ['whatsapp', 'email'], replay);
    expect(report.counts.unknown).toBe(2);
    if (advised) expect(report.unknownAdvice).toMatch(/^2 recipient\(s\) with an unknown outcome: .* so WhatsApp or the mail server may have accepted it .* get it twice$/);
    else expect(report.unknownAdvice).toBeUndefined();
  });

  it('gives no advice when nobody is unknown', () => {
    const replay = emptyReplay(1);
    applyRecord(replay, { i: 0, s: 'sent', id: 'a', at });
    expect(buildReport(campaign, ['whatsapp'], replay)).not.toHaveProperty('unknownAdvice');
  });
});
