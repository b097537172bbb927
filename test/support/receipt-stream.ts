import { Pool } from 'undici';
import { metaJson, statusPayload } from '../../src/adapters/sandbox/status-webhooks.js';
import { signatureOf } from '../../src/adapters/http/hub-signature.js';

const IDS = { wabaId: '1', phoneNumberId: '2', displayNumber: '390000000000' };

/** One status in a payload: which message, what happened to it, to whom. */
export interface Receipt {
  readonly wamid: string;
  readonly status: 'delivered' | 'read';
  readonly recipient: string;
}

/** One signed POST: its batch of receipts (Meta batches several statuses in one payload) and its chunk. */
export interface Post {
  readonly chunk: number;
  readonly receipts: readonly Receipt[];
  readonly body: string;
}

/** A post answered (or failed), with the moment, in this process's monotonic clock. */
export interface Ack {
  readonly post: Post;
  readonly status: string;
  readonly at: number;
}

export interface StreamOptions {
  readonly url: string;
  readonly secret: string;
  readonly campaignId: string;
  /** Each chunk's messages: a `delivered` payload for them, then, once it is answered, a `read` payload. */
  readonly chunks: ReadonlyArray<ReadonlyArray<Omit<Receipt, 'status'>>>;
  /** Receipts a second the stream keeps to. */
  readonly rate: number;
  readonly concurrency: number;
  /** The last chunks, held back until release(): so some receipts are surely answered after what the test does. */
  readonly reserve: number;
  /** Chunks never redelivered: a copy posted later would bring their numbers back. */
  readonly noRedelivery: ReadonlySet<number>;
}

/**
 * Signed status webhooks at a steady rate over keep-alive connections, with bounded concurrency. Once the chunks
 * before the reserve are answered and release() has not come yet, it redelivers payloads already answered (Meta
 * does redeliver), so the traffic goes on however long the test's own work takes; after release() it posts the
 * reserve and ends.
 */
export class ReceiptStream {
  readonly acks: Ack[] = [];
  /** The posts issued; a redelivery counts again. */
  issued = 0;
  inFlight = 0;
  private readonly pool: Pool;
  private readonly reads: Post[] = [];
  private readonly deliveries: Post[];
  private readonly held: Post[];
  private readonly answered: Post[] = [];
  private readonly pendingOfChunk: number[];
  private readonly watchers: Array<() => boolean> = [];
  private receiptsIssued = 0;
  private redelivered = 0;
  private isReleased = false;
  private readonly started = performance.now();
  private readonly timer: ReturnType<typeof setInterval>;
  private finish: () => void = () => undefined;
  readonly done: Promise<void>;

  constructor(private readonly options: StreamOptions) {
    const url = new URL(options.url);
    this.pool = new Pool(url.origin, { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
    const posts = options.chunks.map((chunk, k) => this.postOf(k, chunk.map((m) => ({ ...m, status: 'delivered' as const }))));
    this.pendingOfChunk = options.chunks.map(() => 2);
    this.held = posts.splice(posts.length - options.reserve);
    this.deliveries = posts;
    this.done = new Promise((resolve) => (this.finish = resolve));
    // pacing, not waiting for something: each tick issues what the rate allows since the start
    this.timer = setInterval(() => this.tick(), 5);
  }

  /** Resolves once every post of these chunks (both statuses) has been answered. */
  whenChunksAnswered(chunks: readonly number[]): Promise<void> {
    return this.when(() => chunks.every((k) => this.pendingOfChunk[k] === 0));
  }

  /** Resolves right after the next post leaves, in the same turn: the caller acts while that post is in flight. */
  whenPostLeaves(): Promise<void> {
    const before = this.issued;
    return this.when(() => this.issued > before);
  }

  /** Posts the reserve; the stream ends once everything is answered. */
  release(): void {
    this.isReleased = true;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.pool.close();
  }

  private when(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      this.watchers.push(() => {
        if (!condition()) return false;
        resolve();
        return true;
      });
    });
  }

  private notify(): void {
    for (let k = this.watchers.length - 1; k >= 0; k--) if ((this.watchers[k] as () => boolean)()) this.watchers.splice(k, 1);
  }

  private postOf(chunk: number, receipts: readonly Receipt[]): Post {
    const payloads = receipts.map((r) => statusPayload({ ...r, at: new Date('2026-12-01T10:00:00Z'), callbackData: this.options.campaignId }, IDS));
    // one envelope carrying every status of the batch, as Meta sends them
    const first = payloads[0] as { entry: Array<{ changes: Array<{ value: { statuses: unknown[] } }> }> };
    const value = (first.entry[0] as { changes: Array<{ value: { statuses: unknown[] } }> }).changes[0]?.value as { statuses: unknown[] };
    value.statuses = payloads.map((p) => (p as typeof first).entry[0]?.changes[0]?.value.statuses[0]);
    return { chunk, receipts, body: metaJson(first) };
  }

  private next(): Post | undefined {
    const genuine = this.reads.shift() ?? this.deliveries.shift();
    if (genuine !== undefined) return genuine;
    if (this.isReleased) return this.held.shift();
    const copies = this.answered.filter((p) => !this.options.noRedelivery.has(p.chunk));
    if (copies.length === 0) return undefined;
    return copies[this.redelivered++ % copies.length];
  }

  private tick(): void {
    const allowance = ((performance.now() - this.started) * this.options.rate) / 1000;
    while (this.inFlight < this.options.concurrency && this.receiptsIssued < allowance) {
      const post = this.next();
      if (post === undefined) break;
      this.issue(post);
    }
    this.notify();
    if (this.isReleased && this.inFlight === 0 && this.reads.length === 0 && this.deliveries.length === 0 && this.held.length === 0) {
      clearInterval(this.timer);
      this.finish();
    }
  }

  private issue(post: Post): void {
    this.issued++;
    this.inFlight++;
    this.receiptsIssued += post.receipts.length;
    const isCopy = this.answered.includes(post);
    const headers = { 'content-type': 'application/json', 'x-hub-signature-256': signatureOf(post.body, this.options.secret) };
    this.pool
      .request({ path: new URL(this.options.url).pathname, method: 'POST', headers, body: post.body, headersTimeout: 20_000, bodyTimeout: 20_000 })
      .then(async (response) => {
        await response.body.dump();
        return `HTTP ${response.statusCode}`;
      })
      .catch((error: unknown) => (error instanceof Error ? error.message : String(error)))
      .then((status) => {
        this.inFlight--;
        this.acks.push({ post, status, at: performance.now() });
        if (!isCopy && status === 'HTTP 200') this.answeredGenuine(post);
        this.notify();
      });
  }

  private answeredGenuine(post: Post): void {
    this.answered.push(post);
    this.pendingOfChunk[post.chunk] = (this.pendingOfChunk[post.chunk] as number) - 1;
    // the read of a chunk only once its delivered is answered: the journal sees them in order
    if (post.receipts[0]?.status === 'delivered') {
      this.reads.push(this.postOf(post.chunk, post.receipts.map((r) => ({ ...r, status: 'read' as const }))));
    }
  }
}
