import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveCampaign } from '../../src/adapters/campaign/campaign-store.js';
import { optOutFile } from '../../src/adapters/optout/optout-feed.js';
import { sizeOf } from '../../src/adapters/fs/line-feed.js';
import { readCursor } from '../../src/adapters/webhook/event-cursor.js';
import { ReceiptBook } from '../../src/adapters/webhook/receipts.js';
import { ensureWebhookDir, eventLogFile } from '../../src/adapters/webhook/webhook-files.js';
import { HomeEventLog } from '../../src/adapters/webhook/home-event-log.js';
import { homePersistence } from '../../src/adapters/home-persistence.js';
import { homePaths } from '../../src/adapters/home.js';
import { MemorySubscriberStore } from '../../src/adapters/store/memory-subscriber-store.js';
import { EventApplier, type AppliedBatch, type EventApplierDeps } from '../../src/commands/webhook/event-applier.js';
import type { Campaign, CampaignId } from '../../src/core/campaign.js';
import type { BookHints, SubscriberStore, SubscriberTransaction } from '../../src/core/ports.js';
import type { StoreData } from '../../src/core/store-data.js';
import { SubscriberBook } from '../../src/core/subscriber-book.js';
import type { Envelope, SendResult, Transport } from '../../src/core/transport.js';
import { FakeClock, sequentialIds } from '../support/fake-deps.js';

/** The store as a value: transactions run on it in place, as the real one does under its lock; `gate` holds them back. */
export function memoryStore(data: StoreData): SubscriberStore & { writes: number; gate?: Promise<void> } {
  const store: SubscriberStore & { writes: number; gate?: Promise<void> } = {
    writes: 0,
    find: (key) => new MemorySubscriberStore(data).find(key),
    scan: (filter, visit) => new MemorySubscriberStore(data).scan(filter, visit),
    survey: (filter, visit) => new MemorySubscriberStore(data).survey(filter, visit),
    count: (filter) => new MemorySubscriberStore(data).count(filter),
    topics: async () => structuredClone(data.topics),
    templates: async () => structuredClone(data.templates),
    transaction: async <T>(hints: BookHints, work: (tx: SubscriberTransaction) => T): Promise<T> => {
      store.writes++;
      await store.gate;
      return work(new SubscriberBook(data, hints));
    },
  };
  return store;
}

/** Confirmations to citizens, kept. */
export function fakeReplies(): Transport & { sent: Envelope[] } {
  const sent: Envelope[] = [];
  return {
    name: 'outbox',
    channel: 'whatsapp',
    sent,
    send: async (envelope): Promise<SendResult> => {
      sent.push(envelope);
      return { ok: true, providerMessageId: `wamid.reply${sent.length}` };
    },
  };
}

export const CAMPAIGN = 'cmp_applier';
export const AT = '2026-11-28T10:00:00.000Z';
const seconds = String(Date.parse(AT) / 1000);

export const campaignRecord = (status: Campaign['status'], recipients: number): Campaign => ({
  id: CAMPAIGN as CampaignId,
  status,
  message: { source: 'm.md', topics: ['cantieri'], body: 'x' },
  query: { topics: ['cantieri'], where: [], channel: 'preferred' },
  channels: ['whatsapp'],
  transports: { whatsapp: 'cloud-api' },
  recipients,
  plannedSkips: [],
  createdAt: AT,
});

/** A home with a campaign being sent to these subscriber ids, whose journal has `sent` records for the first `sent`. */
export async function aHome(recipients: readonly string[], sent: number): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'canale-applier-'));
  await ensureWebhookDir(home);
  const dir = join(home, 'campaigns', CAMPAIGN);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'recipients.jsonl'), recipients.map((id) => `${JSON.stringify([id, 'whatsapp'])}\n`).join(''));
  await writeFile(join(dir, 'journal.jsonl'), Array.from({ length: sent }, (_, i) => `{"i":${i},"s":"sent","id":"wamid.S${i}","at":"${AT}"}\n`).join(''));
  await saveCampaign(home, campaignRecord('sending', recipients.length));
  return home;
}

export const journalLines = async (home: string): Promise<string[]> => (await readFile(join(home, 'campaigns', CAMPAIGN, 'journal.jsonl'), 'utf8')).trim().split('\n');
const feedLines = async (home: string): Promise<Array<{ sub?: string; phone?: string; topic?: string }>> =>
  (await readFile(optOutFile(home), 'utf8').catch(() => ''))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { sub?: string; phone?: string; topic?: string });
/** The feed's opt-outs by subscriber id: those the store has. */
export const optOutLines = async (home: string): Promise<Array<{ sub: string; topic?: string }>> =>
  (await feedLines(home)).filter((l): l is { sub: string; topic?: string } => l.sub !== undefined);


/** A Meta `messages` webhook: one text from a number (digits, no plus). */
export const textPayload = (from: string, messageId: string, body: string) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'waba', changes: [{ field: 'messages', value: { messages: [{ id: messageId, from, timestamp: seconds, type: 'text', text: { body } }] } }] }],
});

/** A Meta `statuses` webhook for a message of the campaign. */
export const statusPayload = (wamid: string, status: string) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'waba', changes: [{ field: 'messages', value: { statuses: [{ id: wamid, status, timestamp: seconds, biz_opaque_callback_data: CAMPAIGN, recipient_id: '393330000000' }] } }] }],
});

export interface Running {
  readonly applier: EventApplier;
  readonly log: HomeEventLog;
  readonly batches: AppliedBatch[];
  readonly warnings: string[];
  /** Resolves once the cursor has reached the end of the log and no receipt waits (or `until` holds after a batch). */
  readonly applied: (until?: (b: AppliedBatch) => boolean) => Promise<void>;
  /** Resolves once a warning has been said. */
  readonly warned: () => Promise<void>;
  readonly close: () => Promise<void>;
}

/** An applier on the home, its event log waking it, as `webhook serve` wires them. */
export async function startApplier(home: string, store: SubscriberStore, replies: Transport, extra: Partial<EventApplierDeps> = {}): Promise<Running> {
  const batches: AppliedBatch[] = [];
  const warnings: string[] = [];
  const watchers: Array<() => void> = [];
  const notify = () => watchers.splice(0).forEach((w) => w());
  const receipts = new ReceiptBook(home, { inodeCheckMs: 0 });
  const clock = new FakeClock(new Date(AT));
  const log = new HomeEventLog(home);
  const ports = { ...homePersistence(homePaths(home), { clock }), subscribers: store, events: log };
  const applier = new EventApplier({
    ports,
    receipts,
    streaks: await log.streaks(),
    unreachableAfter: 3,
    replies,
    clock,
    ids: sequentialIds(),
    warn: (line) => {
      warnings.push(line);
      notify();
    },
    onBatch: (b) => {
      batches.push(b);
      notify();
    },
    retryMs: 10,
    ...extra,
  });
  log.onRecorded(() => applier.wake());
  const isDone = async (until?: (b: AppliedBatch) => boolean): Promise<boolean> => {
    const last = batches.at(-1);
    if (until !== undefined) return last !== undefined && until(last);
    const cursor = await readCursor(home);
    return cursor.offset === (await sizeOf(eventLogFile(home))) && cursor.waitingReceipts === 0;
  };
  const applied = async (until?: (b: AppliedBatch) => boolean): Promise<void> => {
    for (;;) {
      const next = new Promise<void>((resolve) => watchers.push(resolve));
      if (await isDone(until)) return;
      await next;
    }
  };
  const warned = () => (warnings.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => watchers.push(() => (warnings.length > 0 ? resolve() : void warned().then(resolve)))));
  await applier.start();
  return {
    applier,
    log,
    batches,
    warnings,
    applied,
    warned,
    close: async () => {
      await applier.close();
      await Promise.all([log.close(), receipts.close()]);
    },
  };
}
