import type { Clock, Persistence } from '../core/ports.js';
import { HomeCampaignStore } from './campaign/home-campaign-store.js';
import { HomeLocks } from './campaign/home-locks.js';
import type { LockOwner } from './fs/file-lock.js';
import type { HomePaths } from './home.js';
import { HomeScheduleStore } from './schedule/home-schedule-store.js';
import { HomeSignupStore } from './signup/home-signup-store.js';
import { JsonSubscriberStore } from './store/json-subscriber-store.js';
import { HomeEventLog } from './webhook/home-event-log.js';

/** What the home's stores are given: this process (a dead holder's lock is taken over at once) and the clock. */
export interface HomePersistenceOptions {
  readonly owner?: LockOwner;
  readonly clock: Clock;
}

/** Every port over the JSON files of one home (DESIGN §5): the default, zero-setup persistence. */
export function homePersistence(paths: HomePaths, options: HomePersistenceOptions): Persistence {
  const owner = options.owner === undefined ? {} : { owner: options.owner };
  return {
    subscribers: new JsonSubscriberStore(paths.db, owner),
    campaigns: new HomeCampaignStore(paths.home, options.clock, owner),
    events: new HomeEventLog(paths.home),
    schedules: new HomeScheduleStore(paths.home),
    signups: new HomeSignupStore(paths.home),
    locks: new HomeLocks(paths.home, options.owner),
  };
}
