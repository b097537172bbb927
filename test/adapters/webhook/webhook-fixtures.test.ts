import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { needsAnswer, readWebhook, type WebhookEvents } from '../../../src/adapters/transports/cloud-api/webhook-payload.js';
import { commandOf } from '../../../src/core/replies/reply-command.js';

const now = '2026-11-28T10:00:00.000Z';
const fixture = (name: string): WebhookEvents => readWebhook(JSON.parse(readFileSync(new URL(`../../fixtures/webhooks/${name}.json`, import.meta.url), 'utf8')) as unknown, now);
const sheena = { phone: '+16505551234' };
const bsuid = 'US.13491208655302741918';

describe("readWebhook on Meta's documented payloads", () => {
  it.each([
    ['message-text', 'text', ['Does it come in another color?'], true],
    ['message-button', 'button', ['Unsubscribe', 'Unsubscribe'], true],
    ['message-button-stop-promotions', 'button', ['Stop promotions', 'Stop promotions'], true],
    ['message-interactive-button', 'interactive', ['cancel-button', 'Cancel'], true],
    ['message-interactive-list', 'interactive', ['priority_express', 'Priority Mail Express'], true],
    ['message-image', 'media', ['Taj Mahal'], true],
    ['message-reaction', 'reaction', [], false],
    ['message-unsupported', 'unsupported', [], false],
  ])('%s: one %s message, words %j, answered: %s', (name, kind, words, answered) => {
    const events = fixture(name);
    expect(events.inbound).toHaveLength(1);
    const [message] = events.inbound;
    expect(message).toMatchObject({ from: '16505551234', identity: sheena, kind, words });
    expect(needsAnswer(message as never)).toBe(answered);
    expect(events.identityChanges).toEqual([]);
  });

  it.each([
    ['message-button', { kind: 'stop' }],
    ['message-button-stop-promotions', { kind: 'leave', topic: 'promotions' }],
    ['message-interactive-button', { kind: 'stop' }],
  ])('%s reads as %j (a stop: the rest names no topic, so applyReply stops everything)', (name, command) => {
    expect(commandOf(fixture(name).inbound[0]?.words ?? [])).toEqual(command);
  });

  it('a system user_changed_number is a number change, never a message to answer', () => {
    const events = fixture('system-user-changed-number');
    expect(events.inbound).toEqual([]);
    expect(events.identityChanges).toEqual([
      { kind: 'number-changed', messageId: 'wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==', at: '2025-06-18T17:55:42.000Z', before: sheena, phone: '+12195555358' },
    ]);
  });

  it('a system user_changed_user_id is a user id change', () => {
    const events = fixture('system-user-changed-user-id');
    expect(events.inbound).toEqual([]);
    expect(events.identityChanges).toEqual([
      expect.objectContaining({ kind: 'user-id-changed', before: { userId: bsuid }, userId: 'US.99887766554433221100' }),
    ]);
  });

  it.each([
    ['status-delivered-with-pricing', { status: 'delivered', campaignId: 'cmp_0001' }],
    ['status-read-without-pricing', { status: 'read', campaignId: 'cmp_0001' }],
    ['status-failed', { status: 'failed', failure: expect.objectContaining({ providerCode: '131049' }) }],
    ['bsuid-status', { status: 'delivered', recipientUserId: bsuid }],
  ])('%s', (name, status) => {
    expect(fixture(name).statuses).toEqual([expect.objectContaining(status)]);
  });

  it('user_preferences, by number and by user id alone', () => {
    expect(fixture('user-preferences').preferences).toEqual([{ from: '16505551234', identity: sheena, value: 'stop', at: '2024-11-15T21:22:01.000Z' }]);
    expect(fixture('bsuid-user-preferences').preferences).toEqual([{ from: '', identity: { userId: bsuid }, value: 'stop', at: expect.any(String) }]);
  });

  it('a username citizen: empty from, only from_user_id — kept, known by user id', () => {
    expect(fixture('bsuid-message-user-id-only').inbound).toEqual([
      expect.objectContaining({ from: '', identity: { userId: bsuid }, kind: 'text', words: ['STOP'] }),
    ]);
    expect(fixture('bsuid-message-both').inbound[0]?.identity).toEqual({ ...sheena, userId: bsuid });
  });

  it('value.errors: the account problems Meta reports outside any message', () => {
    expect(fixture('errors')).toMatchObject({ errors: [{ code: 131042, title: 'Business eligibility payment issue', details: expect.stringContaining('payment method') }], inbound: [], statuses: [] });
  });
});
