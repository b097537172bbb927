import { appendFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replayJournal } from '../../../src/adapters/journal/journal-file.js';
import { saveCampaign } from '../../../src/adapters/campaign/campaign-store.js';
import { appendDropped } from '../../../src/adapters/campaign/dropped-feed.js';
import { ReceiptBook } from '../../../src/adapters/webhook/receipts.js';
import type { StatusEvent } from '../../../src/adapters/transports/cloud-api/webhook-payload.js';
import type { Campaign, CampaignId } from '../../../src/core/campaign.js';
import { STATE } from '../../../src/core/dispatch/journal-state.js';

let home = '';
let book: ReceiptBook;
const campaign = 'cmp_receipts';
const journal = () => join(home, 'campaigns', campaign, 'journal.jsonl');
const at = '2026-11-28T10:00:00.000Z';
const status = (wamid: string, s: StatusEvent['status'], extra: Partial<StatusEvent> = {}): StatusEvent => ({ wamid, status: s, at, campaignId: campaign, ...extra });
const record = (status: Campaign['status']): Campaign => ({
  id: campaign as CampaignId,
  status,
  message: { source: 'm.md', topics: ['cantieri'], body: 'x' },
  query: { topics: ['cantieri'], where: [], channel: 'preferred' },
  channels: ['whatsapp'],
  transports: { whatsapp: 'cloud-api' },
  recipients: 3,
  plannedSkips: [],
  createdAt: at,
});
const lines = async () => (await readFile(journal(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'canale-receipts-'));
  const dir = join(home, 'campaigns', campaign);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'recipients.jsonl'), ['["sub_a","whatsapp"]', '["sub_b","whatsapp"]', '["sub_c","whatsapp"]', ''].join('\n'));
  await writeFile(journal(), ['{"i":0,"s":"in-flight"}', `{"i":0,"s":"sent","id":"wamid.A","at":"${at}"}`, `{"i":1,"s":"sent","id":"wamid.B","at":"${at}"}`, ''].join('\n'));
  await saveCampaign(home, record('sending'));
  book = new ReceiptBook(home, { inodeCheckMs: 0 });
});

afterEach(async () => {
  await book.close();
  await rm(home, { recursive: true, force: true });
});

describe('ReceiptBook', () => {
  it('appends delivered and read once each, ignoring redeliveries', async () => {
    expect(await book.record(status('wamid.A', 'delivered'))).toEqual({ kind: 'recorded', outcome: { subscriberId: 'sub_a', status: 'delivered' } });
    expect(await book.record(status('wamid.A', 'delivered'))).toEqual({ kind: 'duplicate' });
    expect((await book.record(status('wamid.A', 'read'))).kind).toBe('recorded');
    expect((await book.record(status('wamid.A', 'read'))).kind).toBe('duplicate');
    expect((await lines()).slice(3)).toEqual([{ i: 0, s: 'delivered', at }, { i: 0, s: 'read', at }]);
  });

  it('names nobody for a recipient forgotten after it read the frozen list (their position in the dropped list)', async () => {
    expect(await book.record(status('wamid.A', 'delivered'))).toMatchObject({ outcome: { subscriberId: 'sub_a' } });
    await appendDropped(join(home, 'campaigns', campaign), [1]);
    book.refresh();
    expect(await book.record(status('wamid.B', 'delivered'))).toEqual({ kind: 'recorded', outcome: { subscriberId: 'forgotten', status: 'delivered' } });
    expect(await book.record(status('wamid.A', 'read'))).toMatchObject({ outcome: { subscriberId: 'sub_a' } });
  });

  it('never moves a recipient backwards: read then a late delivered or failed leaves read', async () => {
    await book.record(status('wamid.B', 'read'));
    expect((await book.record(status('wamid.B', 'delivered'))).kind).toBe('duplicate');
    expect((await book.record(status('wamid.B', 'failed', { failure: { kind: 'recipient', code: 'WHATSAPP_UNDELIVERABLE', reason: 'x' } }))).kind).toBe('duplicate');
    expect((await replayJournal(journal(), 3)).states[1]).toBe(STATE.read);
  });

  it('records a failed status as a failed recipient with its code; a later delivered wins (multi-device)', async () => {
    const failure = { kind: 'recipient' as const, code: 'WHATSAPP_UNDELIVERABLE', reason: 'the number cannot receive this message' };
    expect(await book.record(status('wamid.A', 'failed', { failure }))).toEqual({ kind: 'recorded', outcome: { subscriberId: 'sub_a', status: 'failed', code: 'WHATSAPP_UNDELIVERABLE' } });
    const replay = await replayJournal(journal(), 3);
    expect(replay.states[0]).toBe(STATE.failed);
    expect(replay.failures.get(0)).toMatchObject({ code: 'WHATSAPP_UNDELIVERABLE', kind: 'recipient' });
    expect((await book.record(status('wamid.A', 'delivered'))).kind).toBe('recorded');
    expect((await replayJournal(journal(), 3)).states[0]).toBe(STATE.delivered);
  });

  it('says a message id a running send has not appended yet is waiting, and records it once the journal has it', async () => {
    expect(await book.record(status('wamid.C', 'delivered'))).toEqual({ kind: 'waiting' });
    await appendFile(journal(), `{"i":2,"s":"sent","id":"wamid.C","at":"${at}"}\n`);
    expect(await book.record(status('wamid.C', 'delivered'))).toMatchObject({ kind: 'recorded', outcome: { subscriberId: 'sub_c' } });
  });

  it('once the campaign has ended (its status read before the journal), an id it never had is not ours', async () => {
    expect(await book.record(status('wamid.Z', 'delivered'))).toEqual({ kind: 'waiting' });
    await saveCampaign(home, record('completed'));
    // the status is read at most once a batch: until refresh() the book still knows it as sending
    expect(await book.record(status('wamid.Z', 'delivered'))).toEqual({ kind: 'waiting' });
    book.refresh();
    expect(await book.record(status('wamid.Z', 'delivered'))).toEqual({ kind: 'not-ours' });
    expect((await book.record(status('wamid.B', 'delivered'))).kind).toBe('recorded');
  });

  it('ignores statuses without a campaign of this home', async () => {
    expect(await book.record(status('wamid.A', 'delivered', { campaignId: 'cmp_nope' }))).toEqual({ kind: 'no-campaign' });
    expect(await book.record(status('wamid.A', 'delivered', { campaignId: '../../etc' }))).toEqual({ kind: 'no-campaign' });
    expect(await book.record({ wamid: 'wamid.A', status: 'delivered', at })).toEqual({ kind: 'no-campaign' });
  });

  it('after the journal is replaced (by hand, or a restore), appends to the new file', async () => {
    await book.record(status('wamid.A', 'delivered'));
    const text = await readFile(journal(), 'utf8');
    await writeFile(`${journal()}.new`, text.replace('wamid.A', 'wamid.A2'));
    await rename(`${journal()}.new`, journal());
    expect((await book.record(status('wamid.B', 'delivered'))).kind).toBe('recorded');
    expect((await lines()).at(-1)).toEqual({ i: 1, s: 'delivered', at });
  });
});

describe('ReceiptBook settles a recipient whose answer was lost (issue 16 §3)', () => {
  const lost = async () => appendFile(journal(), `{"i":2,"s":"in-flight"}\n{"i":2,"s":"unknown","code":"WHATSAPP_TIMEOUT","reason":"no answer","at":"${at}"}\n`);

  it('records the message id a receipt names the recipient with (campaign/position), then its status, once', async () => {
    await lost();
    expect(await book.record(status('wamid.C', 'sent', { recipientIndex: 2 }))).toEqual({ kind: 'duplicate' });
    expect(await book.record(status('wamid.C', 'delivered', { recipientIndex: 2 }))).toEqual({ kind: 'recorded', outcome: { subscriberId: 'sub_c', status: 'delivered' } });
    expect(await book.record(status('wamid.C', 'sent', { recipientIndex: 2 }))).toEqual({ kind: 'duplicate' });
    expect((await lines()).slice(5)).toEqual([
      { i: 2, s: 'sent', id: 'wamid.C', at, by: 'receipt' },
      { i: 2, s: 'delivered', at },
    ]);
    const replay = await replayJournal(journal(), 3);
    expect(replay.states[2]).toBe(STATE.delivered);
    expect([...replay.settledByReceipt]).toEqual([2]);
  });

  it('settles once when the receipts of one batch come side by side', async () => {
    await lost();
    const results = await Promise.all([book.record(status('wamid.C', 'sent', { recipientIndex: 2 })), book.record(status('wamid.C', 'delivered', { recipientIndex: 2 })), book.record(status('wamid.C', 'read', { recipientIndex: 2 }))]);
    expect(results.map((r) => r.kind).sort()).toEqual(['duplicate', 'recorded', 'recorded']);
    expect((await lines()).filter((l) => l.s === 'sent' && l.i === 2)).toHaveLength(1);
  });

  it('leaves a recipient who already has a message id alone: a second id is a duplicate send, its receipts change nothing', async () => {
    expect(await book.record(status('wamid.A2', 'failed', { recipientIndex: 0, failure: { kind: 'recipient', code: 'WHATSAPP_UNDELIVERABLE', reason: 'x' } }))).toEqual({ kind: 'duplicate' });
    expect(await lines()).toHaveLength(3);
  });

  it('does not count a receipt that only beat the send answer to the journal as settled', async () => {
    await appendFile(journal(), '{"i":2,"s":"in-flight"}\n');
    expect((await book.record(status('wamid.C', 'delivered', { recipientIndex: 2 }))).kind).toBe('recorded');
    await appendFile(journal(), `{"i":2,"s":"sent","id":"wamid.C","at":"${at}"}\n`);
    const replay = await replayJournal(journal(), 3);
    expect(replay.states[2]).toBe(STATE.delivered);
    expect(replay.settledByReceipt.size).toBe(0);
  });
});
