import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/adapters/home.js';
import { appendOptOuts, optOutFile, optOutHolder, optOutMark, OptOutWatch } from '../../src/adapters/optout/optout-feed.js';
import { aSubscriber } from '../support/builders.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'canale-optouts-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const at = '2026-12-02T09:00:00.000Z';
const anna = aSubscriber({ phone: '+393331111111' as never, email: 'Anna@Example.it' as never, topics: ['cantieri', 'scuola'] });
const bruno = aSubscriber({ phone: '+393332222222' as never, topics: ['cantieri'] });

describe('the opt-out feed', () => {
  it('is read from the mark a send took: an opt-out recorded before it is the store snapshot\'s business', async () => {
    await appendOptOuts(home, [{ subscriberId: bruno.id, at }]);
    const watch = await OptOutWatch.start(home, await optOutMark(home), 10);
    expect(watch.hasLeft(bruno, ['cantieri'])).toBe(false);
    await appendOptOuts(home, [{ subscriberId: bruno.id, at }]);
    await expect.poll(() => watch.hasLeft(bruno, ['cantieri']), { timeout: 5000 }).toBe(true);
    await watch.close();
  });

  it.each([
    ['a STOP by subscriber id', { subscriberId: anna.id }, ['cantieri'], true],
    ['a STOP by the phone it came from (before the store has it)', { phone: '+393331111111' }, ['cantieri'], true],
    ['a one-click unsubscribe by e-mail, in any case', { email: 'anna@example.IT' }, ['cantieri'], true],
    ['one topic of the two the send reaches them for', { subscriberId: anna.id, topic: 'cantieri' }, ['cantieri', 'scuola'], false],
    ['the only topic the send reaches them for', { phone: '+393331111111', topic: 'cantieri' }, ['cantieri'], true],
    ["someone else's STOP", { subscriberId: bruno.id }, ['cantieri'], false],
  ])('%s', async (_what, who, topics, left) => {
    const watch = await OptOutWatch.start(home, 0, 10);
    await appendOptOuts(home, [{ ...who, at }]);
    await watch.close();
    expect(watch.hasLeft(anna, topics)).toBe(left);
  });

  it("WhatsApp's marketing stop holds for a marketing send only", async () => {
    const watch = await OptOutWatch.start(home, 0, 10);
    await appendOptOuts(home, [{ phone: '+393331111111', isMarketingOnly: true, at }]);
    await watch.close();
    expect(watch.hasLeft(anna, ['cantieri'], true)).toBe(true);
    expect(watch.hasLeft(anna, ['cantieri'], false)).toBe(false);
  });

  it('is scrubbed by forget: their id, phone and e-mail, not the others\'', async () => {
    await appendOptOuts(home, [{ subscriberId: anna.id, at }, { phone: '+393331111111', topic: 'scuola', at }, { email: 'anna@example.it', at }, { subscriberId: bruno.id, at }]);
    expect(await optOutHolder.erase(anna, homePaths(home))).toBe(1);
    const text = await readFile(optOutFile(home), 'utf8');
    for (const gone of [anna.id, '393331111111', 'anna@example.it']) expect(text).not.toContain(gone);
    expect(text).toContain(bruno.id);
    expect(text).toContain('"topic":"scuola"');
    for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});
