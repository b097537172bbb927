import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aStore, aSubscriber } from '../support/builders.js';
import { aHome, AT, CAMPAIGN, fakeReplies, journalLines, memoryStore, startApplier, type Running } from './applier-harness.js';

let home = '';
const open: Running[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  await rm(home, { recursive: true, force: true });
});

const seconds = String(Date.parse(AT) / 1000);
const failedPayload = (wamid: string, code: number, title: string) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'waba', changes: [{ field: 'messages', value: { statuses: [{ id: wamid, status: 'failed', timestamp: seconds, biz_opaque_callback_data: CAMPAIGN, recipient_id: '393330000000', errors: [{ code, title, message: title, error_data: { details: title } }] }] } }] }],
});
const troubleOf = async () => (await readFile(join(home, 'campaigns', CAMPAIGN, 'trouble.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { code: string });

describe('EventApplier: account trouble in receipts', () => {
  it("a failed receipt about the account (payment) tells the campaign's send to stop; one about a citizen does not", async () => {
    const people = [aSubscriber({ topics: ['cantieri'] }), aSubscriber({ topics: ['cantieri'] })];
    home = await aHome(people.map((p) => p.id), 2);
    const running = await startApplier(home, memoryStore(aStore(people)), fakeReplies());
    open.push(running);
    await running.log.record(AT, failedPayload('wamid.S0', 131026, 'Message undeliverable'));
    await running.applied();
    expect(await troubleOf()).toEqual([]);
    await running.log.record(AT, failedPayload('wamid.S1', 131042, 'Business eligibility payment issue'));
    await running.applied();
    expect((await troubleOf()).map((t) => t.code)).toEqual(['WHATSAPP_PAYMENT']);
    // both receipts are in the journal, as what happened to those messages
    expect((await journalLines(home)).filter((l) => l.includes('"s":"failed"'))).toHaveLength(2);
  });

  it("a webhook's value.errors about the account stop the send running now", async () => {
    home = await aHome([], 0);
    const running = await startApplier(home, memoryStore(aStore([])), fakeReplies());
    open.push(running);
    await writeFile(join(home, 'sending.json'), JSON.stringify({ campaign: CAMPAIGN, pid: 1 }));
    await running.log.record(AT, { object: 'whatsapp_business_account', entry: [{ id: 'waba', changes: [{ field: 'messages', value: { errors: [{ code: 131031, title: 'Business Account locked' }] } }] }] });
    await running.applied();
    expect((await troubleOf()).map((t) => t.code)).toEqual(['WHATSAPP_ACCOUNT_BLOCKED']);
    expect(running.warnings.some((w) => w.startsWith('WhatsApp reported trouble with the account: WHATSAPP_ACCOUNT_BLOCKED'))).toBe(true);
  });
});
