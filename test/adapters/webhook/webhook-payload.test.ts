import { describe, expect, it } from 'vitest';
import { readWebhook } from '../../../src/adapters/webhook/webhook-payload.js';

const now = '2026-11-28T10:00:00.000Z';
const envelope = (...values: Array<Record<string, unknown>>) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'waba', changes: values.map((value) => ({ field: value.user_preferences === undefined ? 'messages' : 'user_preferences', value })) }],
});

describe('readWebhook', () => {
  it('reads a batch of statuses, with the campaign and the failure in canale codes', () => {
    const events = readWebhook(
      envelope({
        statuses: [
          { id: 'wamid.1', status: 'delivered', timestamp: '1750030073', recipient_id: '393331234567', biz_opaque_callback_data: 'cmp_1' },
          { id: 'wamid.2', status: 'failed', timestamp: '1750030074', recipient_id: '393331234568', biz_opaque_callback_data: 'cmp_1', errors: [{ code: 131026, title: 'Message undeliverable' }] },
          { id: 'wamid.3', status: 'played', timestamp: '1750030074' },
          { status: 'read' },
        ],
      }),
      now,
    );
    expect(events.statuses).toEqual([
      { wamid: 'wamid.1', status: 'delivered', at: '2025-06-15T23:27:53.000Z', campaignId: 'cmp_1' },
      expect.objectContaining({ wamid: 'wamid.2', status: 'failed', failure: expect.objectContaining({ kind: 'recipient', code: 'WHATSAPP_UNDELIVERABLE', providerCode: '131026' }) }),
    ]);
  });

  it('reads texts, quick-reply buttons and interactive replies as words, the payload first', () => {
    const events = readWebhook(
      envelope({
        contacts: [{ profile: { name: 'Maria' }, wa_id: '393331234567' }],
        messages: [
          { from: '393331234567', id: 'wamid.t', timestamp: '1749416383', type: 'text', text: { body: 'STOP' } },
          { from: '393331234567', id: 'wamid.b', timestamp: '1749416384', type: 'button', button: { payload: 'UNSUB:cantieri', text: 'Non ricevere più' } },
          { from: '393331234567', id: 'wamid.i', timestamp: '1749416385', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'ISCRIVI scuola', title: 'Scuola' } } },
          { from: '393331234567', id: 'wamid.img', timestamp: '1749416386', type: 'image', image: { id: 'x' } },
        ],
      }),
      now,
    );
    expect(events.inbound.map((m) => [m.messageId, m.words])).toEqual([
      ['wamid.t', ['STOP']],
      ['wamid.b', ['UNSUB:cantieri', 'Non ricevere più']],
      ['wamid.i', ['ISCRIVI scuola', 'Scuola']],
      ['wamid.img', []],
    ]);
  });

  it('reads user_preferences stop and resume, and ignores what it does not know', () => {
    const events = readWebhook(envelope({ user_preferences: [{ wa_id: '393331234567', category: 'marketing_messages', value: 'stop', timestamp: 1731705721 }, { wa_id: '1', value: 'maybe' }] }), now);
    expect(events.preferences).toEqual([{ from: '393331234567', value: 'stop', at: '2024-11-15T21:22:01.000Z' }]);
    expect(readWebhook({ object: 'page', entry: 'nope' }, now)).toEqual({ statuses: [], inbound: [], preferences: [] });
    expect(readWebhook(null, now)).toEqual({ statuses: [], inbound: [], preferences: [] });
  });
});
