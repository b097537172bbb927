import { describe, expect, it } from 'vitest';
import { reportCsv, reportHtml } from '../../src/commands/report/report-formats.js';
import type { Delivery } from '../../src/core/audience.js';
import { applyRecord, emptyReplay } from '../../src/core/dispatch/journal-state.js';
import type { CampaignReport } from '../../src/core/report.js';
import { aSubscriber } from '../support/builders.js';

const at = '2026-11-28T09:00:01.000Z';
const deliveries: Delivery[] = [
  { subscriberId: 'sub_a' as never, channel: 'whatsapp' },
  { subscriberId: 'sub_b' as never, channel: 'email' },
  { subscriberId: 'sub_c' as never, channel: 'whatsapp' },
];
const replay = emptyReplay(3);
applyRecord(replay, { i: 0, s: 'sent', id: 'wamid.A', at });
applyRecord(replay, { i: 0, s: 'read', at: '2026-11-28T09:05:00.000Z' });
applyRecord(replay, { i: 1, s: 'failed', code: 'SMTP_MAILBOX_REJECTED', kind: 'recipient', reason: 'mailbox "b" unknown', at });

describe('report CSV', () => {
  it('has one row per recipient, no contacts by default', () => {
    expect([...reportCsv(deliveries, replay)].join('')).toBe(
      'subscriber_id,channel,status,code,reason,provider_message_id,updated_at\r\n' +
        'sub_a,whatsapp,read,,,wamid.A,2026-11-28T09:05:00.000Z\r\n' +
        'sub_b,email,failed,SMTP_MAILBOX_REJECTED,"mailbox ""b"" unknown",,2026-11-28T09:00:01.000Z\r\n' +
        'sub_c,whatsapp,pending,,,,\r\n',
    );
  });

  it('adds name and address with contacts', () => {
    const contacts = new Map([['sub_a', aSubscriber({ name: 'Anna', phone: '+393331234567' as never })]]);
    expect([...reportCsv(deliveries.slice(0, 1), replay, contacts)].join('')).toContain('sub_a,whatsapp,read,,,wamid.A,2026-11-28T09:05:00.000Z,Anna,+393331234567');
  });
});

describe('report HTML', () => {
  const report: CampaignReport = {
    campaign: 'cmp_1',
    status: 'completed',
    counts: { targeted: 10, sent: 8, delivered: 6, read: 3, failed: 1, unknown: 0, skipped: 1 },
    byChannel: {
      whatsapp: { targeted: 10, sent: 8, delivered: 6, read: 3, failed: 1, unknown: 0, skipped: 1 },
      email: { targeted: 0, sent: 0, delivered: 0, read: 0, failed: 0, unknown: 0, skipped: 0 },
    },
    failures: [{ code: 'X<1>', reason: 'a <b>reason</b>', count: 1 }],
    skipped: [{ reason: 'opted-out', label: 'opted out of everything', count: 1 }],
    startedAt: '2026-11-28T09:00:00.000Z',
    finishedAt: '2026-11-28T09:00:10.000Z',
    rate: 0.8,
    urgent: true,
  };

  it('is one page with the figures, an inline SVG chart and no script', () => {
    const html = reportHtml(report, 'Rapporto <lavori>');
    expect(html).toContain('<title>Rapporto &lt;lavori&gt;</title>');
    expect(html).toContain('<svg role="img"');
    expect(html).toMatch(/<rect x="130" y="\d+" width="288" height="20" fill="#2563eb"><title>Inviati: 8<\/title>/);
    expect(html).toContain('<code>X&lt;1&gt;</code> — a &lt;b&gt;reason&lt;/b&gt;');
    expect(html).toContain('<strong>urgente</strong>');
    expect(html).not.toMatch(/<script|src=|href=/);
  });
});
