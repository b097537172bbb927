import { describe, expect, it } from 'vitest';
import { reportCsv } from '../../src/commands/report/report-formats.js';
import type { Delivery } from '../../src/core/audience.js';
import { applyRecord, emptyReplay } from '../../src/core/dispatch/journal-state.js';
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
    expect([...reportCsv(deliveries.slice(0, 1), replay, contacts)].join('')).toContain("sub_a,whatsapp,read,,,wamid.A,2026-11-28T09:05:00.000Z,Anna,'+393331234567");
    // a citizen known on WhatsApp by user id alone: that is their address
    const username = new Map([['sub_a', aSubscriber({ name: 'Anna', phone: undefined, whatsappUserId: 'US.13491208655302741918' } as never)]]);
    expect([...reportCsv(deliveries.slice(0, 1), replay, username)].join('')).toContain('Anna,US.13491208655302741918');
  });

  it('writes every cell a spreadsheet would run as a formula with a \' before it: reasons, codes, names', () => {
    const hostile = emptyReplay(1);
    applyRecord(hostile, { i: 0, s: 'failed', code: '=cmd|"/c calc"!A1', kind: 'recipient', reason: '@SUM(1+1) rejected', at });
    const contacts = new Map([['sub_a', aSubscriber({ name: '-2+3', phone: '+393331234567' as never })]]);
    expect([...reportCsv(deliveries.slice(0, 1), hostile, contacts)].join('').split('\r\n')[1]).toBe(
      `sub_a,whatsapp,failed,"'=cmd|""/c calc""!A1",'@SUM(1+1) rejected,,${at},'-2+3,'+393331234567`,
    );
  });
});
