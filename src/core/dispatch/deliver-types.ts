import type { SkipReason } from '../audience.js';
import type { Clock } from '../ports.js';
import type { Channel } from '../subscriber.js';
import type { DeliveryFailure, Envelope, Transport } from '../transport.js';
import type { RetryPolicy } from './backoff.js';
import type { RateWindow, Sleeper } from './rate-window.js';

/** One recipient × channel of the frozen list, by its position in that list. */
export interface WorkItem {
  readonly index: number;
  readonly channel: Channel;
}

/**
 * The campaign's append-only record of what happened to each recipient. `inFlight` must not resolve before the
 * record is on disk: it is what lets a crashed send be resumed without sending anyone twice. Implementations may
 * write many recipients' records in one go (group commit).
 */
export interface DeliveryJournal {
  inFlight(index: number): Promise<void>;
  sent(index: number, providerMessageId: string): void;
  failed(index: number, failure: DeliveryFailure): void;
  /** The request was written and no answer came (`mayHaveArrived`): the recipient stays unknown, never resent automatically. */
  unknown(index: number, failure: DeliveryFailure): void;
  skipped(index: number, reason: SkipReason): void;
  /** The recipient was not sent after all (the send stopped first): resume treats them as not yet reached. */
  released(index: number): void;
  flush(): Promise<void>;
}

export type DeliverEvent =
  | { readonly type: 'skipped' | 'released'; readonly channel: Channel }
  | { readonly type: 'sent'; readonly channel: Channel; readonly index: number; /** The recipient's business-scoped user id (WhatsApp, 2026), for the store to keep. */ readonly userId?: string }
  | { readonly type: 'failed'; readonly channel: Channel; readonly failure: DeliveryFailure }
  | { readonly type: 'retry'; readonly channel: Channel; readonly failure: DeliveryFailure }
  /** The request may have arrived but no answer came: the recipient is left unknown, for receipts to settle (DESIGN §7.2). */
  | { readonly type: 'unknown'; readonly channel: Channel; readonly failure: DeliveryFailure }
  /** The provider refused this recipient for now (pair rate limit, greylisting): they are tried again in `inMs`, the rest go on. */
  | { readonly type: 'deferred'; readonly channel: Channel; readonly failure: DeliveryFailure; readonly inMs: number }
  /** The provider throttled: the channel now sends at `rate` a second (halved, DESIGN §7.4) and retries the recipient. */
  | { readonly type: 'throttled'; readonly channel: Channel; readonly failure: DeliveryFailure; readonly rate: number }
  /** The channel's rate grew back after throttling (a quarter every few seconds without it), up to the configured one. */
  | { readonly type: 'rate'; readonly channel: Channel; readonly rate: number };

export interface DeliverInput {
  readonly items: readonly WorkItem[];
  /** The envelope for a recipient, rendered when its turn comes, or why they are skipped now (e.g. opted out since). */
  readonly envelopeFor: (item: WorkItem) => Envelope | { readonly skip: SkipReason };
  /**
   * Asked again right before each request leaves: a recipient is prepared ahead of their turn (LOOKAHEAD, and the
   * wait for the rate), and may have been forgotten or opted out meanwhile. A reason: they are skipped, never sent.
   */
  readonly withdrawn?: (item: WorkItem) => SkipReason | undefined;
  readonly transports: Readonly<Partial<Record<Channel, Transport>>>;
  readonly limiters: Readonly<Partial<Record<Channel, RateWindow>>>;
  /** Requests in flight at once, per channel. */
  readonly concurrency: number;
  readonly policy: RetryPolicy;
  readonly journal: DeliveryJournal;
  readonly clock: Clock;
  readonly sleeper: Sleeper;
  readonly random: () => number;
  /** Aborted on Ctrl-C / SIGTERM: no new sends start; those in flight finish and are recorded. */
  readonly stop: AbortSignal;
  /**
   * Aborted, with a DeliveryFailure as its reason, when the provider reports trouble with the account after its
   * requests were accepted (a failed receipt about payment, a policy block): the send stops as it would had a
   * request been answered so — resumable, the reason named — rather than fail one citizen after another.
   */
  readonly accountTrouble?: AbortSignal;
  /** Per channel, the instant (epoch ms) it takes no new recipient from (quiet hours): those in flight finish, the outcome is `paused`. */
  readonly pauseAt?: Readonly<Partial<Record<Channel, number>>>;
  readonly onEvent?: (event: DeliverEvent) => void;
}

export type DeliverOutcome =
  | { readonly status: 'completed' }
  | { readonly status: 'interrupted' }
  /** Channels reached their `pauseAt` with recipients still to reach; everything else was done. */
  | { readonly status: 'paused'; readonly channels: readonly Channel[] }
  | { readonly status: 'stopped'; readonly reason: string; readonly failure?: DeliveryFailure };

