import { describe, expect, it } from 'vitest';
import { countByChannel, countSkips, planAudience, type AudienceQuery } from '../../src/core/audience.js';
import type { TopicId } from '../../src/core/topic.js';
import { aSubscriber } from '../support/builders.js';

const t = (...ids: string[]) => ids as TopicId[];
const query = (overrides: Partial<AudienceQuery> = {}): AudienceQuery => ({
  topics: t('cantieri'),
  where: [],
  channel: 'preferred',
  messageChannels: ['whatsapp', 'email'],
  ...overrides,
});

const wa = aSubscriber({ id: 'wa' as never, topics: ['cantieri', 'scuola'], channel: 'whatsapp', attributes: { municipio: 'I' } });
const mail = aSubscriber({ id: 'mail' as never, topics: ['cantieri'], channel: 'email', phone: undefined, attributes: { municipio: 'II' } });
const gone = aSubscriber({ id: 'gone' as never, topics: ['cantieri'], status: 'unsubscribed' });
const left = aSubscriber({ id: 'left' as never, topics: ['scuola'], optedOutTopics: t('cantieri') });
const unreachable = aSubscriber({ id: 'unreach' as never, topics: ['cantieri'], whatsappUnreachable: true });
const other = aSubscriber({ id: 'other' as never, topics: ['eventi'] });
const everyone = [wa, mail, gone, left, unreachable, other];

describe('planAudience', () => {
  it('sends each follower once on their preferred channel and says why the others are skipped', () => {
    const audience = planAudience(everyone, query({ topics: t('cantieri', 'scuola') }));
    expect(audience.deliveries).toEqual([
      { subscriberId: 'wa', channel: 'whatsapp' },
      { subscriberId: 'mail', channel: 'email' },
      { subscriberId: 'left', channel: 'whatsapp' },
    ]);
    expect(audience.skipped).toEqual([
      { subscriberId: 'gone', reason: 'opted-out' },
      { subscriberId: 'unreach', channel: 'whatsapp', reason: 'unreachable' },
    ]);
  });

  it('skips who left the topic', () => {
    expect(planAudience(everyone, query()).skipped).toContainEqual({ subscriberId: 'left', reason: 'opted-out-of-topic' });
  });

  it.each<[string, Partial<AudienceQuery>, string[]]>([
    ['all channels', { channel: 'all' }, ['wa:whatsapp', 'wa:email', 'mail:email', 'unreach:email']],
    ['whatsapp only', { channel: 'whatsapp' }, ['wa:whatsapp']],
    ['email only', { channel: 'email' }, ['wa:email', 'mail:email', 'unreach:email']],
    ['where', { where: [{ key: 'municipio', value: 'ii' }] }, ['mail:email']],
    ['a WhatsApp-only message', { messageChannels: ['whatsapp'] }, ['wa:whatsapp']],
  ])('%s', (_label, overrides, expected) => {
    expect(planAudience(everyone, query(overrides)).deliveries.map((d) => `${d.subscriberId}:${d.channel}`)).toEqual(expected);
  });

  it('counts deliveries by channel and skips by reason', () => {
    const audience = planAudience(everyone, query({ channel: 'all' }));
    expect(countByChannel(audience.deliveries)).toEqual({ whatsapp: 1, email: 3 });
    expect(countSkips(audience.skipped)).toEqual([
      { reason: 'opted-out', count: 1 },
      { reason: 'opted-out-of-topic', count: 1 },
      { reason: 'unreachable', count: 1 },
    ]);
  });

  it('skips who has no address for a channel everyone must get', () => {
    expect(planAudience(everyone, query({ channel: 'whatsapp' })).skipped).toContainEqual({ subscriberId: 'mail', channel: 'whatsapp', reason: 'no-address' });
  });
});

describe('a citizen known on WhatsApp by user id alone', () => {
  const username = aSubscriber({ id: 'uid' as never, topics: ['cantieri'], channel: 'whatsapp', phone: undefined, email: undefined, whatsappUserId: 'US.13491208655302741918' } as never);
  const nobody = aSubscriber({ id: 'none' as never, topics: ['cantieri'], channel: 'whatsapp', phone: undefined, email: undefined } as never);

  it('has a WhatsApp address: the user id', () => {
    expect(planAudience([username, nobody], query({ channel: 'whatsapp' }))).toEqual({
      deliveries: [{ subscriberId: 'uid', channel: 'whatsapp' }],
      skipped: [{ subscriberId: 'none', channel: 'whatsapp', reason: 'no-address' }],
    });
  });

  it('is reached by --channel all on WhatsApp and skipped for e-mail', () => {
    expect(planAudience([username], query({ channel: 'all' })).deliveries).toEqual([{ subscriberId: 'uid', channel: 'whatsapp' }]);
  });
});

describe("WhatsApp's own stop of marketing messages", () => {
  const stopped = aSubscriber({ id: 'mkt' as never, topics: ['cantieri'], channel: 'whatsapp', history: [{ at: '2026-11-01T00:00:00.000Z', action: 'marketing-stopped', source: 'whatsapp:user_preferences@x' }] });
  const resumed = aSubscriber({
    id: 'back' as never,
    topics: ['cantieri'],
    channel: 'whatsapp',
    history: [
      { at: '2026-11-01T00:00:00.000Z', action: 'marketing-stopped', source: 'a' },
      { at: '2026-11-02T00:00:00.000Z', action: 'marketing-resumed', source: 'b' },
    ],
  });
  it('skips them for a marketing template, never for a utility one; a later resume counts', () => {
    const marketing = planAudience([stopped, resumed], query({ isWhatsAppMarketing: true }));
    expect(marketing.deliveries.map((d) => d.subscriberId)).toEqual(['back']);
    expect(marketing.skipped).toEqual([{ subscriberId: 'mkt', channel: 'whatsapp', reason: 'marketing-stopped' }]);
    expect(planAudience([stopped, resumed], query()).deliveries.map((d) => d.subscriberId)).toEqual(['mkt', 'back']);
  });
});
