import type { Campaign } from '../../core/campaign.js';
import type { LockRecord, LockRequest, Locks } from '../../core/ports.js';
import type { LockOwner } from '../fs/file-lock.js';
import { runningCampaign } from './account-trouble.js';
import { sendingNow, withLiveStatus, withProcessLock, withSendLock } from './send-lock.js';

/** The Locks port over lock folders in the home (`sending`, `schedule-run`…, with `<name>.json` naming the holder). */
export class HomeLocks implements Locks {
  constructor(
    private readonly home: string,
    private readonly owner?: LockOwner,
  ) {}

  withSendLock<T>(request: LockRequest & { readonly campaign: string }, work: () => Promise<T>): Promise<T> {
    return withSendLock(this.home, { ...request, ...this.ownerPart() }, work);
  }

  withLock<T>(name: string, request: LockRequest, work: () => Promise<T>, busy: (holder: LockRecord) => Error): Promise<T> {
    return withProcessLock(this.home, name, { ...request, ...this.ownerPart() }, work, busy);
  }

  sendingNow(): Promise<string | undefined> {
    return sendingNow(this.home, this.owner);
  }

  sendLockRecord(): Promise<string | undefined> {
    return runningCampaign(this.home);
  }

  withLiveStatus(campaigns: readonly Campaign[]): Promise<Campaign[]> {
    return withLiveStatus(this.home, campaigns, this.owner);
  }

  private ownerPart(): { readonly owner?: LockOwner } {
    return this.owner === undefined ? {} : { owner: this.owner };
  }
}
