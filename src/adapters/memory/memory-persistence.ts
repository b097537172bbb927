import type { Clock, Persistence } from '../../core/ports.js';
import type { StoreData } from '../store/store-schema.js';
import type { LockOwner } from '../fs/lock-holder.js';
import { MemorySubscriberStore } from '../store/memory-subscriber-store.js';
import { MemoryCampaignStore } from './memory-campaign-store.js';
import { MemoryEventLog } from './memory-event-log.js';
import { MemoryLocks, type LockTable } from './memory-locks.js';
import { MemoryScheduleStore } from './memory-schedule-store.js';
import { MemorySignupStore } from './memory-signup-store.js';

/** What the memory stores are given: the clock, the subscribers to start with, and this "process" and its lock table. */
export interface MemoryPersistenceOptions {
  readonly clock: Clock;
  readonly subscribers?: StoreData;
  /** This process (a lock held by another that is gone is taken over); absent: every holder counts as alive. */
  readonly process?: LockOwner;
  /** The locks shared with other MemoryPersistences, to play several processes on one home. */
  readonly locks?: LockTable;
}

/**
 * Every port in memory (DESIGN §5), with the promises of the home's JSON files and held to the same contract suites:
 * for command tests that run a whole send, a crash and a resume in milliseconds, and for runs that need no home.
 */
export function memoryPersistence(options: MemoryPersistenceOptions): Persistence {
  const locks = new MemoryLocks({ ...(options.process === undefined ? {} : { process: options.process }), ...(options.locks === undefined ? {} : { table: options.locks }) });
  return {
    subscribers: new MemorySubscriberStore(options.subscribers),
    campaigns: new MemoryCampaignStore({ clock: options.clock, sendingNow: () => locks.sendingNow() }),
    events: new MemoryEventLog(),
    schedules: new MemoryScheduleStore(),
    signups: new MemorySignupStore(),
    locks,
  };
}
