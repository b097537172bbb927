import { describe, expect, it } from 'vitest';
import { readWebhook } from '../../../src/adapters/transports/cloud-api/webhook-payload.js';

const now = '2026-11-28T10:00:00.000Z';
const envelope = (...values: Array<Record<string, unknown>>) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'waba', changes: values.map((value) => ({ field: value.user_preferences === undefined ? 'messages' : 'user_preferences', value })) }],
});

describe('readWebhook', () => {
  it("reads the recipient's position canale puts after the campaign id in biz_opaque_callback_data", () => {
    const events = readWebhook(envelope({ statuses: [
      { id: 'wamid.1', status: 'sent', timestamp: '1750030073', recipient_id: '393331234567', biz_opaque_callback_data: 'cmp_1/42' },
      { id: 'wamid.2', status: 'read', timestamp: '1750030073', recipient_id: '393331234567', biz_opaque_callback_data: 'cmp_1/x' },
    ] }), now);
    expect(events.statuses[0]).toEqual({ wamid: 'wamid.1', status: 'sent', at: '2025-06-15T23:27:53.000Z', campaignId: 'cmp_1', recipientIndex: 42 });
    // not canale's shape: no campaign named
    expect(events.statuses[1]).not.toHaveProperty('campaignId');
  });

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

  it("reads a tap on a list's row and on a reply button as the row's or button's id, then its title (Meta's shapes, v23.0 InteractiveMessageReply)", () => {
    const context = { from: '390000000000', id: 'wamid.list' };
    const events = readWebhook(
      envelope({
        messages: [
          { from: '393331234567', id: 'wamid.r', timestamp: '1749416385', type: 'interactive', context, interactive: { type: 'list_reply', list_reply: { id: 'topic:cantieri', title: 'Cantieri', description: 'Lavori stradali' } } },
          { from: '393331234567', id: 'wamid.s', timestamp: '1749416386', type: 'interactive', context, interactive: { type: 'button_reply', button_reply: { id: 'stop', title: 'Annulla tutto' } } },
        ],
      }),
      now,
    );
    expect(events.inbound.map((m) => [m.messageId, m.kind, m.words])).toEqual([
      ['wamid.r', 'interactive', ['topic:cantieri', 'Cantieri']],
      ['wamid.s', 'interactive', ['stop', 'Annulla tutto']],
    ]);
  });

  it('reads user_preferences stop and resume, and ignores what it does not know', () => {
    const events = readWebhook(envelope({ user_preferences: [{ wa_id: '393331234567', category: 'marketing_messages', value: 'stop', timestamp: 1731705721 }, { wa_id: '1', value: 'maybe' }] }), now);
    expect(events.preferences).toEqual([{ from: '393331234567', identity: { phone: '+393331234567' }, value: 'stop', at: '2024-11-15T21:22:01.000Z' }]);
    const nothing = { statuses: [], inbound: [], preferences: [], identityChanges: [], errors: [] };
    expect(readWebhook({ object: 'page', entry: 'nope' }, now)).toEqual(nothing);
    expect(readWebhook(null, now)).toEqual(nothing);
  });

  it.each([
    ['no from nor from_user_id', { id: 'wamid.x', type: 'text', text: { body: 'STOP' } }],
    ['an empty from and no user id', { from: '', id: 'wamid.x', type: 'text', text: { body: 'STOP' } }],
    ['a from that is no number', { from: 'abc', id: 'wamid.x', type: 'text', text: { body: 'STOP' } }],
    ['no id', { from: '393331234567', type: 'text', text: { body: 'STOP' } }],
  ])('leaves out a message with %s', (_, message) => {
    expect(readWebhook(envelope({ messages: [message] }), now).inbound).toEqual([]);
  });

  it('takes the user id from contacts[] when the message has none, matched by wa_id', () => {
    const events = readWebhook(
      envelope({
        contacts: [{ wa_id: '393331234567', user_id: 'IT.111' }, { wa_id: '393339999999', user_id: 'IT.999' }],
        messages: [
          { from: '393339999999', id: 'wamid.a', type: 'text', text: { body: 'ciao' } },
          { from: '393330000000', id: 'wamid.b', type: 'text', text: { body: 'ciao' } },
        ],
      }),
      now,
    );
    expect(events.inbound.map((m) => m.identity)).toEqual([{ phone: '+393339999999', userId: 'IT.999' }, { phone: '+393330000000' }]);
  });

  it.each([
    ['an unknown system type', { type: 'customer_identity_changed', body: 'x' }],
    ['a number change without the new number', { type: 'user_changed_number', body: 'x' }],
    ['a user id change without the new id', { type: 'user_changed_user_id', body: 'x' }],
  ])('a system message with %s is neither a message nor a change', (_, system) => {
    const events = readWebhook(envelope({ messages: [{ from: '393331234567', id: 'wamid.s', type: 'system', system }] }), now);
    expect(events).toMatchObject({ inbound: [], identityChanges: [] });
  });
});
