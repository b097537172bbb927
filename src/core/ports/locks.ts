import type { Campaign } from '../campaign.js';

/** Who holds a lock, as the holder wrote it. */
export interface LockRecord {
  readonly campaign?: string;
  readonly startedAt?: string;
  readonly pid?: number;
  readonly host?: string;
}

/** What a process taking a lock says about itself; `onWait` hears when it waits for a dead holder's lock. */
export interface LockRequest {
  readonly campaign?: string;
  readonly startedAt?: string;
  readonly onWait?: (message: string) => void;
}

/**
 * The locks that make canale one sender at a time (DESIGN §7): the send lock (one send per city), and named locks
 * such as `schedule-run`. A lock held by a live process is refused at once (`busy` for named locks, SEND_BUSY exit 4
 * for the send lock); one whose holder died (kill -9, power cut) is taken over; `work`'s end, however it ends,
 * releases it.
 */
export interface Locks {
  withSendLock<T>(request: LockRequest & { readonly campaign: string }, work: () => Promise<T>): Promise<T>;
  withLock<T>(name: string, request: LockRequest, work: () => Promise<T>, busy: (holder: LockRecord) => Error): Promise<T>;
  /** The campaign whose send holds the lock now, if any (a dead holder is none). */
  sendingNow(): Promise<string | undefined>;
  /** The campaign the send lock's record names, alive or not (the webhook server's quick check). */
  sendLockRecord(): Promise<string | undefined>;
  /** Campaigns recorded `sending` whose send no longer runs, shown `interrupted`. */
  withLiveStatus(campaigns: readonly Campaign[]): Promise<Campaign[]>;
}
