import type { Campaign } from '../../core/campaign.js';
import type { LockRecord, LockRequest, Locks } from '../../core/ports.js';
import type { LockOwner } from '../fs/lock-holder.js';
import { sendBusyError, withRunningStatus } from '../campaign/send-lock.js';

/** The locks of one memory "home", by name, with who holds each: shared by the MemoryLocks of every process on it. */
export type LockTable = Map<string, LockRecord>;

const SEND_LOCK = 'sending';

/**
 * The Locks port in memory (DESIGN §7): a lock is a record in a table, held until `work` ends however it ends. A
 * holder that is alive (this process, or one `process.alive` says exists) makes a second taker busy at once; a
 * holder whose process is gone is taken over at once, as the home's locks are. Processes are simulated by giving
 * several MemoryLocks one `table`, each with its own `process`.
 */
export class MemoryLocks implements Locks {
  private readonly table: LockTable;
  private readonly process: LockOwner | undefined;

  constructor(options: { readonly process?: LockOwner; readonly table?: LockTable } = {}) {
    this.table = options.table ?? new Map();
    this.process = options.process;
  }

  withSendLock<T>(request: LockRequest & { readonly campaign: string }, work: () => Promise<T>): Promise<T> {
    return this.withLock(SEND_LOCK, request, work, sendBusyError);
  }

  async withLock<T>(name: string, request: LockRequest, work: () => Promise<T>, busy: (holder: LockRecord) => Error): Promise<T> {
    const current = this.table.get(name);
    if (current !== undefined && !this.isGone(current)) throw busy(current);
    const record: LockRecord = {
      ...(request.campaign === undefined ? {} : { campaign: request.campaign }),
      ...(request.startedAt === undefined ? {} : { startedAt: request.startedAt }),
      ...(this.process === undefined ? {} : { pid: this.process.pid }),
    };
    this.table.set(name, record);
    try {
      return await work();
    } finally {
      // a holder whose lock was taken over never removes its successor's
      if (this.table.get(name) === record) this.table.delete(name);
    }
  }

  async sendingNow(): Promise<string | undefined> {
    const holder = this.table.get(SEND_LOCK);
    return holder === undefined || this.isGone(holder) ? undefined : holder.campaign;
  }

  async sendLockRecord(): Promise<string | undefined> {
    const campaign = this.table.get(SEND_LOCK)?.campaign;
    // what else takes the send lock (a forget's clean-up) names no campaign
    return campaign?.startsWith('cmp_') === true ? campaign : undefined;
  }

  async withLiveStatus(campaigns: readonly Campaign[]): Promise<Campaign[]> {
    return withRunningStatus(campaigns, await this.sendingNow());
  }

  /** Whether the holder was another process that no longer exists. */
  private isGone(holder: LockRecord): boolean {
    return this.process !== undefined && holder.pid !== undefined && holder.pid !== this.process.pid && !this.process.alive(holder.pid);
  }
}
