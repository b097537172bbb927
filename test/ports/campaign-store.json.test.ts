import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE } from '../../src/core/dispatch/journal-state.js';
import { aCampaign, aList } from './campaign-builders.js';
import { THIS_PROCESS, usePortImplementations } from './ports-under-test.js';

/**
 * What only the JSON home can be in: files a crash cut short, a hand edit, a freeze killed half way. The memory
 * store has no such states (a record is kept whole or not at all), so these are not part of the contract.
 */
const { json } = usePortImplementations();

describe('the JSON campaign store, beyond the contract', () => {
  it('ignores a journal line torn by a crash', async () => {
    const { campaigns } = (await json(THIS_PROCESS)).ports;
    const campaign = aCampaign({ id: 'cmp_a', recipients: 2 });
    await campaigns.create(campaign, aList('sub_a', 'sub_b'));
    await appendFile(campaigns.journalPath('cmp_a'), '{"i":0,"s":"in-flight"}\n{"i":0,"s":"sent","id":"w","at":"2026-11-28T09:00:00.000Z"}\n{"i":1,"s":"in-fl');
    expect([...(await campaigns.replay(campaign, 2)).states]).toEqual([STATE.sent, STATE.pending]);
    const journal = await campaigns.openJournal(campaign);
    await journal.inFlight(1);
    await journal.close();
    expect([...(await campaigns.replay(campaign, 2)).states]).toEqual([STATE.sent, STATE.unknown]);
  });

  it('reports a damaged campaign as damaged — never a reason for the listing to fail', async () => {
    const { campaigns } = (await json(THIS_PROCESS)).ports;
    await campaigns.create(aCampaign({ id: 'cmp_good' }), []);
    await mkdir(campaigns.whereIs('cmp_torn'));
    await writeFile(join(campaigns.whereIs('cmp_torn'), 'campaign.json'), '{"version":1,"id":"cmp_t');
    expect((await campaigns.list()).map((c) => c.id)).toEqual(['cmp_good']);
    expect((await campaigns.scan()).damaged).toEqual([{ id: 'cmp_torn', problem: expect.stringContaining('not valid JSON') }]);
    expect(await campaigns.inspect('cmp_torn')).toMatchObject({ kind: 'damaged' });
    await expect(campaigns.load('cmp_torn')).rejects.toMatchObject({ code: 'CAMPAIGN_DAMAGED', message: expect.stringContaining('canale campaigns cancel cmp_torn') });
  });

  it('names what a killed create left behind, and removes it', async () => {
    const { campaigns } = (await json(THIS_PROCESS)).ports;
    const leftover = join(campaigns.whereIs('cmp_a'), '..', '.tmp-cmp_a-0badf00d');
    await mkdir(leftover, { recursive: true });
    expect(await campaigns.leftovers()).toEqual(['.tmp-cmp_a-0badf00d']);
    expect(await campaigns.list()).toEqual([]);
    expect(await campaigns.removeLeftovers()).toBe(1);
    expect(await campaigns.leftovers()).toEqual([]);
  });

  it('lists and loads campaigns without reading the subscribers: a damaged db.json does not stop them', async () => {
    const under = await json(THIS_PROCESS);
    const { campaigns, subscribers } = under.ports;
    await campaigns.create(aCampaign({ id: 'cmp_a', recipients: 1 }), aList('sub_a'));
    await writeFile(join(campaigns.whereIs('cmp_a'), '..', '..', 'db.json'), '{"version": 1, "subscr');
    await expect(subscribers.count()).rejects.toMatchObject({ code: expect.stringMatching(/DAMAGED/) });
    expect((await campaigns.list()).map((c) => c.id)).toEqual(['cmp_a']);
    expect((await campaigns.state(await campaigns.load('cmp_a'))).report.counts.targeted).toBe(1);
  });
});
