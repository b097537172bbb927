import type { EventLog } from '../../core/ports.js';
import { describeReplyTraffic, replyTraffic, type ReplyTraffic } from '../../core/reply-traffic.js';
import type { Context } from '../context.js';
import { trafficPriceOf, type TrafficPrice } from '../traffic-price.js';


/** The webhook server's backlog, read from its files: the same whether the server runs or not. */
export interface WebhookBacklog {
  /** Lines in the event log: payloads from Meta and e-mail unsubscribes. */
  readonly received: number;
  /** Lines up to the cursor: in the store, the journals and the opt-out feed. */
  readonly applied: number;
  /** Lines after the cursor, plus receipts still waiting for their message id in a campaign's journal. */
  readonly waiting: number;
  readonly waitingLines: number;
  readonly waitingReceipts: number;
  /** When the oldest line not yet wholly applied arrived; absent when nothing waits. */
  readonly oldestWaitingAt?: string;
  /** Batches applied, and the store writes they took (one per batch at most). */
  readonly batches: number;
  readonly storeWrites: number;
  /** The answers the server sent citizens (service messages) today and in the last 30 days, and their estimated cost. */
  readonly replies: ReplyTraffic;
}

const atOf = (line: string | undefined): string | undefined => {
  if (line === undefined) return undefined;
  try {
    const at = (JSON.parse(line) as { at?: unknown }).at;
    return typeof at === 'string' ? at : undefined;
  } catch {
    return undefined;
  }
};

/** Counts only what is after the cursor: the cursor keeps how many lines come before it. */
export async function readWebhookBacklog(log: EventLog, price: TrafficPrice): Promise<WebhookBacklog> {
  const cursor = await log.cursor();
  const size = await log.size();
  // a log shorter than its cursor is applied again from its start by the server
  const from = size < cursor.offset ? { offset: 0, lines: 0 } : cursor;
  const after = await log.countFrom(from.offset);
  const firstWaiting = cursor.waiting.length > 0 ? Math.min(...cursor.waiting) : undefined;
  const oldest = atOf(firstWaiting === undefined ? undefined : await log.lineAt(firstWaiting)) ?? (after > 0 ? atOf(await log.lineAt(from.offset)) : undefined);
  return {
    received: from.lines + after,
    applied: from.lines,
    waiting: after + cursor.waitingReceipts,
    waitingLines: after,
    waitingReceipts: cursor.waitingReceipts,
    ...(oldest === undefined ? {} : { oldestWaitingAt: oldest }),
    batches: cursor.batches,
    storeWrites: cursor.storeWrites,
    replies: replyTraffic(cursor.replies, price.now, price),
  };
}

/** One line for people (doctor uses it too). */
export function describeBacklog(b: WebhookBacklog): string {
  const oldest = b.oldestWaitingAt === undefined ? '' : `, the oldest since ${b.oldestWaitingAt}`;
  return `${b.received} event(s) received, ${b.applied} applied, ${b.waiting} waiting (${b.waitingLines} line(s) not applied yet, ${b.waitingReceipts} receipt(s) waiting for their message id)${oldest}; ${b.storeWrites} store write(s) in ${b.batches} batch(es); ${describeReplyTraffic(b.replies)}`;
}

export async function runWebhookStatus(options: { readonly json: boolean }, ctx: Context): Promise<void> {
  const backlog = await readWebhookBacklog((await ctx.ports()).events, await trafficPriceOf(ctx));
  if (options.json) ctx.ui.json(backlog);
  else ctx.ui.out(describeBacklog(backlog));
}
