import type { StatusEvent } from '../../core/whatsapp-status.js';
import { readLine, type ReadLine } from './event-lines.js';
import type { Topic } from '../../core/topic.js';
import { isCampaignId } from '../../core/ids.js';
import { isAccountTrouble, type DeliveryFailure, type Transport } from '../../core/transport.js';
import { EVENT_CURSOR_START as START, type Clock, type EventCursor, type FailureStreaks, type IdSource, type Persistence, type ReceiptRecorder } from '../../core/ports.js';
import { HELP_ANSWER } from '../../core/replies/citizen-reply.js';
import type { PrivacyNotice } from '../../core/replies/topic-menu.js';
import { CitizenAnswers } from './citizen-answers.js';
import { countReplies } from '../../core/reply-traffic.js';
import { applyStoreEvents, storeEventHints, type BatchResult, type StoreEvent } from '../../core/replies/reply-batch.js';
import type { SubscriberId } from '../../core/subscriber.js';
import { pendingByCode, pendingById, removeConfirmed } from '../../core/signup/pending-signups.js';

/** Failure codes that say the number cannot get WhatsApp messages at all (not "not now", not "not marketing"). */
const UNDELIVERABLE: ReadonlySet<string> = new Set(['WHATSAPP_UNDELIVERABLE']);
/** Receipts kept waiting for their message id at most: beyond, the oldest are dropped, and that is said. */
export const MAX_WAITING = 100_000;

/** The steps of a batch, in order: a crash at any of them leaves the cursor before the batch, which is applied again. */
export type ApplyStep = 'receipts' | 'store' | 'signups' | 'optouts' | 'confirmations' | 'cursor';

/** What one batch did: for the tests' readiness signal, and `webhook status`'s counters (kept in the cursor). */
export interface AppliedBatch {
  readonly lines: number;
  readonly recorded: number;
  readonly waiting: number;
  readonly dropped: number;
  readonly storeWrites: number;
  readonly cursor: EventCursor;
}

export interface EventApplierDeps {
  /** The stores: replies go to the subscribers, receipts' account trouble to the campaigns, the cursor and opt-outs to the event log. */
  readonly ports: Pick<Persistence, 'subscribers' | 'events' | 'campaigns' | 'locks' | 'signups'>;
  readonly receipts: ReceiptRecorder;
  readonly streaks: FailureStreaks;
  readonly unreachableAfter: number;
  /** Answers to citizens go through it as free form (text, lists, buttons): they just wrote, so the 24-hour window is open. */
  readonly replies: Transport;
  /** The privacy notice (`privacy.noticeVersion`, `privacy.noticeUrl`) a stranger's list names and their tap's consent keeps. */
  readonly notice?: PrivacyNotice;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** A line for problems that are not one request's; no personal data. */
  readonly warn: (line: string) => void;
  readonly onBatch?: (batch: AppliedBatch) => void;
  /** Before retrying a batch that failed, and between two looks at receipts still waiting for their message id. */
  readonly retryMs?: number;
  readonly maxWaiting?: number;
  /** A seam for tests: runs before each step; throwing there is a crash at that step. */
  readonly beforeStep?: (step: ApplyStep) => void;
}

interface Waiting {
  readonly offset: number;
  readonly status: StatusEvent;
}

/**
 * Applies `webhooks/events.jsonl` from its durable cursor (DESIGN §5), in order, in batches: whatever arrived
 * while the previous batch was applied is the next one. Per batch: receipts to their journals, then every reply,
 * preference, one-click unsubscribe and unreachable flag in one store change, then the opt-outs to the feed running
 * sends follow, then the confirmations, then the cursor. Each step is safe to do again, so a crash anywhere re-applies
 * the batch from the cursor and each event takes effect once. Receipts whose message id is not in the journal yet
 * wait (their lines are named in the cursor) and are tried again at each batch, and every `retryMs` meanwhile.
 */
export class EventApplier {
  private cursor: EventCursor = START;
  private waiting: Waiting[] = [];
  private running: Promise<void> | undefined;
  private isDirty = false;
  private isClosed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly seen = new Set<string>();
  /** The topic catalogue as the last store change saw it: the request path names a STOP's topic from it (EarlyOptOuts). */
  private topics: readonly Topic[] = [];

  get catalogue(): readonly Topic[] {
    return this.topics;
  }
  private readonly answers: CitizenAnswers;

  constructor(private readonly deps: EventApplierDeps) {
    this.answers = new CitizenAnswers(deps);
  }

  /** Reads the cursor and the receipts it says are waiting, then applies whatever the log holds after it. */
  async start(): Promise<void> {
    const { events, subscribers } = this.deps.ports;
    this.cursor = await events.cursor();
    this.topics = await subscribers.topics();
    for (const offset of this.cursor.waiting) {
      const text = await events.lineAt(offset);
      if (text !== undefined) for (const status of readLine(text).statuses) this.waiting.push({ offset, status });
    }
    this.wake();
  }

  /** A line was appended (or receipts may have found their message id): applies it now, or right after the batch under way. */
  wake(): void {
    this.isDirty = true;
    if (this.running === undefined && !this.isClosed) this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** Applies what the log holds now, stops, then waits for the confirmations still on their way. */
  async close(): Promise<void> {
    await this.running;
    this.wake();
    await this.running;
    this.isClosed = true;
    clearTimeout(this.timer);
    await this.answers.settle();
  }

  private async loop(): Promise<void> {
    while (this.isDirty && !this.isClosed) {
      this.isDirty = false;
      try {
        await this.batch();
      } catch (error) {
        this.deps.warn(`applying the webhook event log stopped at byte ${this.cursor.offset}, tried again shortly: ${(error as { code?: string }).code ?? String(error)}`);
        this.later();
        return;
      }
    }
    if (this.waiting.length > 0) this.later();
  }

  private later(): void {
    if (this.timer !== undefined || this.isClosed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, this.deps.retryMs ?? 500);
    this.timer.unref();
  }

  private async batch(): Promise<void> {
    const { receipts } = this.deps;
    const { events: log, subscribers } = this.deps.ports;
    const { lines, end, size } = await log.readFrom(this.cursor.offset);
    if (size < this.cursor.offset) {
      // the log was replaced by a shorter one (a restore, by hand): it is applied again from its start, which is safe
      this.deps.warn('the webhook event log is shorter than its cursor: applied again from its start');
      this.cursor = { ...START, batches: this.cursor.batches, storeWrites: this.cursor.storeWrites, ...(this.cursor.replies === undefined ? {} : { replies: this.cursor.replies }) };
      this.isDirty = true;
      return;
    }
    if (lines.length === 0 && end === this.cursor.offset && this.waiting.length === 0) return;
    // more lines may follow those just read: the loop reads again (a stat) before it sleeps
    if (lines.length > 0) this.isDirty = true;
    const read = lines.map((l) => ({ offset: l.offset, ...readLine(l.text) }));

    this.step('receipts');
    receipts.refresh();
    const tries: Waiting[] = [...this.waiting, ...read.flatMap((l) => l.statuses.map((status) => ({ offset: l.offset, status })))];
    const results = await Promise.all(tries.map((t) => receipts.record(t.status)));
    let stillWaiting = tries.filter((_, k) => results[k]?.kind === 'waiting');
    // a look at receipts that still wait, and nothing new: the cursor stays as it is (no write every half second)
    if (lines.length === 0 && stillWaiting.length === tries.length) return;
    const dropped = Math.max(0, stillWaiting.length - (this.deps.maxWaiting ?? MAX_WAITING));
    if (dropped > 0) {
      stillWaiting = stillWaiting.slice(dropped);
      this.deps.warn(`${dropped} receipt(s) waited for a message id their campaign's journal never had, more than ${this.deps.maxWaiting ?? MAX_WAITING} waiting: the oldest dropped`);
    }
    const unreachable: StoreEvent[] = [];
    for (const r of results) {
      if (r.kind !== 'recorded' || r.outcome.subscriberId === ('forgotten' as SubscriberId)) continue;
      const { subscriberId, status, code } = r.outcome;
      const undeliverable = status === 'failed' && code !== undefined && UNDELIVERABLE.has(code);
      if (status === 'failed' && !undeliverable) continue;
      const streak = await this.deps.streaks.note(subscriberId, undeliverable);
      if (streak >= this.deps.unreachableAfter) unreachable.push({ kind: 'unreachable', subscriberId, at: this.deps.clock.now().toISOString() });
    }

    const statusEvents = tries.flatMap((t, k) => {
      const r = results[k];
      const userId = t.status.recipientUserId;
      // the user id Meta gave for the recipient, kept so a later STOP by user id alone finds them
      return r?.kind === 'recorded' && userId !== undefined && r.outcome.subscriberId !== ('forgotten' as SubscriberId) ? [{ kind: 'user-id' as const, subscriberId: r.outcome.subscriberId, userId, at: t.status.at }] : [];
    });
    await this.reportTrouble(read, tries);

    this.step('store');
    const inBatch = new Set<string>();
    const events = [...read.flatMap((l) => l.events), ...statusEvents, ...unreachable].filter((e) => {
      if (e.kind !== 'reply') return true;
      const id = e.message.messageId;
      const isNew = !this.seen.has(id) && !inBatch.has(id);
      inBatch.add(id);
      return isNew;
    });
    let storeWrites = 0;
    let applied: BatchResult = { replies: [], optOuts: [], identities: [], changed: 0, confirmedSignups: [] };
    if (events.length > 0) {
      const withSignups = await this.withSignups(events);
      applied = await subscribers.transaction(storeEventHints(withSignups), (tx) => {
        this.topics = tx.topics();
        return applyStoreEvents(tx, withSignups, () => this.deps.ids.next('sub_') as SubscriberId, this.deps.notice === undefined ? {} : { notice: this.deps.notice });
      });
      storeWrites = 1;
    }

    this.step('signups');
    // the store holds them now: the sign-up store lets them go (a crash before: applied again, found, skipped, let go)
    if (applied.confirmedSignups.length > 0) {
      const at = this.deps.clock.now().toISOString();
      await this.deps.ports.signups.update((book) => removeConfirmed(book, applied.confirmedSignups, at));
    }

    this.step('optouts');
    if (applied.optOuts.length > 0) await log.appendOptOuts(applied.optOuts);

    this.step('confirmations');
    for (const id of inBatch) this.seen.add(id);
    // words not understood get the help text (a stranger the list) at most once a day; the rest their answer
    let answered = 0;
    for (const { message, command, outcome } of applied.replies) {
      const isUnknown = command.kind === 'unknown';
      if (this.answers.send(message, outcome.subscriberId, outcome.content ?? { kind: 'text', body: isUnknown ? HELP_ANSWER : outcome.answer }, isUnknown)) answered++;
    }
    for (const outcome of applied.identities) if (outcome.kind === 'number-taken') this.deps.warn(`a number change for ${outcome.subscriberId} was not applied: another subscriber has the new number`);

    this.step('cursor');
    const next: EventCursor = {
      offset: end,
      lines: this.cursor.lines + lines.length,
      waiting: [...new Set(stillWaiting.map((w) => w.offset))],
      waitingReceipts: stillWaiting.length,
      batches: this.cursor.batches + 1,
      storeWrites: this.cursor.storeWrites + storeWrites,
      // reply traffic (webhook status, doctor, report): the answers handed to WhatsApp, by the day they were
      ...this.countedReplies(answered),
    };
    await log.saveCursor(next);
    this.cursor = next;
    this.waiting = stillWaiting;
    const recorded = results.filter((r) => r.kind === 'recorded').length;
    this.deps.onBatch?.({ lines: lines.length, recorded, waiting: stillWaiting.length, dropped, storeWrites, cursor: next });
  }

  /**
   * The batch's confirmations of web sign-ups with the pending sign-up each confirms, as the sign-up store holds it,
   * checked at the time the citizen confirmed (a confirmation in time stays valid if the batch is applied later).
   */
  private async withSignups(events: readonly StoreEvent[]): Promise<StoreEvent[]> {
    const asks = (e: StoreEvent) => e.kind === 'signup-confirmed' || (e.kind === 'reply' && e.command.kind === 'confirm');
    if (!events.some(asks)) return [...events];
    const book = await this.deps.ports.signups.read();
    return events.map((e) => {
      if (e.kind === 'signup-confirmed') {
        const signup = pendingById(book, e.signupId, e.at);
        return signup === undefined ? e : { ...e, signup };
      }
      if (e.kind !== 'reply' || e.command.kind !== 'confirm' || e.message.phone === undefined) return e;
      const signup = pendingByCode(book, e.message.phone, e.command.code, e.message.at);
      return signup === undefined ? e : { ...e, signup };
    });
  }

  /** The cursor's answers per day with this batch's: none counted yet and none now, no field. */
  private countedReplies(answered: number): Pick<EventCursor, 'replies'> {
    const replies = countReplies(this.cursor.replies, this.deps.clock.now(), answered);
    return replies === undefined ? {} : { replies };
  }

  private step(step: ApplyStep): void {
    this.deps.beforeStep?.(step);
  }

  /**
   * Account trouble a batch heard of: a failed receipt about the account (payment, a policy block, a paused
   * template) stops its campaign's send; `value.errors` of that kind stop the send running now. Said once per batch.
   */
  private async reportTrouble(read: readonly ReadLine[], tries: readonly Waiting[]): Promise<void> {
    const byCampaign = new Map<string, { failure: DeliveryFailure; at: string }>();
    for (const { status } of tries) {
      if (status.failure !== undefined && status.campaignId !== undefined && isAccountTrouble(status.failure)) byCampaign.set(status.campaignId, { failure: status.failure, at: status.at });
    }
    const general = read.flatMap((l) => l.trouble)[0];
    const running = general === undefined ? undefined : await this.deps.ports.locks.sendLockRecord();
    if (general !== undefined && running !== undefined && !byCampaign.has(running)) byCampaign.set(running, { failure: general, at: this.deps.clock.now().toISOString() });
    if (general !== undefined) this.deps.warn(`WhatsApp reported trouble with the account: ${general.code}: ${general.reason}`);
    for (const [campaign, { failure, at }] of byCampaign) {
      if (!isCampaignId(campaign)) continue;
      await this.deps.ports.campaigns.reportTrouble(campaign, failure, at).catch((error: unknown) => {
        // a campaign folder that is gone (cancelled) has no send to stop
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      });
    }
  }
}
