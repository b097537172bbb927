import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { optOutFile, OptOutWatch } from '../../src/adapters/optout/optout-feed.js';
import { HomeEventLog } from '../../src/adapters/webhook/home-event-log.js';
import { EarlyOptOuts } from '../../src/commands/webhook/early-optouts.js';
import type { Topic, TopicId } from '../../src/core/topic.js';
import { aSubscriber } from '../support/builders.js';
import { AT, textPayload } from './applier-harness.js';

let home = '';
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'canale-early-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const topics: Topic[] = [{ id: 'cantieri' as TopicId, label: 'Cantieri' }];
const lines = async () => (await readFile(optOutFile(home), 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("EarlyOptOuts: the request path's part of a STOP", () => {
  it('puts each STOP in the feed by its number before it resolves, so a running send skips them', async () => {
    const log = new HomeEventLog(home);
    log.onRecorded(() => undefined);
    const early = new EarlyOptOuts(log, () => topics);
    const watch = await OptOutWatch.start(home, 0, 10);
    await Promise.all([
      early.record(AT, textPayload('393331110001', 'w1', 'STOP')),
      early.record(AT, textPayload('393331110002', 'w2', 'Stop cantieri, grazie')),
      early.record(AT, textPayload('393331110003', 'w3', 'grazie!')),
      early.record(AT, { object: 'whatsapp_business_account', entry: [] }),
    ]);
    await early.recordUnsubscribe(AT, { subscriberId: 'sub_mail', topic: 'cantieri' });
    expect(await lines()).toEqual(
      expect.arrayContaining([
        { at: AT, phone: '+393331110001' },
        { at: AT, phone: '+393331110002', topic: 'cantieri' },
        { at: AT, sub: 'sub_mail', topic: 'cantieri' },
      ]),
    );
    expect(await lines()).toHaveLength(3);
    await log.close();
    await watch.close();
    expect(watch.hasLeft(aSubscriber({ phone: '+393331110001' as never }), ['cantieri'])).toBe(true);
    expect(watch.hasLeft(aSubscriber({ phone: '+393331110003' as never }), ['cantieri'])).toBe(false);
  });

  it('a preference page choice: each topic not chosen, by subscriber id, before it resolves; a running send skips only those', async () => {
    const log = new HomeEventLog(home);
    const early = new EarlyOptOuts(log, () => topics);
    const watch = await OptOutWatch.start(home, 0, 10);
    await early.recordPreferences(AT, 'sub_mail', ['cantieri', 'eventi']);
    await early.recordPreferences(AT, 'sub_all', []);
    expect(await lines()).toEqual([
      { at: AT, sub: 'sub_mail', topic: 'cantieri' },
      { at: AT, sub: 'sub_mail', topic: 'eventi' },
    ]);
    await log.close();
    await watch.close();
    const citizen = aSubscriber({ id: 'sub_mail' as never });
    expect(watch.hasLeft(citizen, ['cantieri'])).toBe(true);
    expect(watch.hasLeft(citizen, ['cantieri', 'scuola'])).toBe(false);
  });
});
