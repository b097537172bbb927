import type { Clock, Persistence } from '../../core/ports.js';
import type { LockOwner } from '../fs/lock-holder.js';
import type { HomePaths } from '../home.js';
import { databaseError, openDatabase, shownUrl, type Sql } from './database.js';
import { requireSchema } from './migrations.js';
import { PgCampaignStore } from './pg-campaign-store.js';
import { PgEventLog } from './pg-event-log.js';
import { PgLocks } from './pg-locks.js';
import { PgScheduleStore } from './pg-schedule-store.js';
import { PgSignupStore } from './pg-signup-store.js';
import { PgSubscriberStore } from './pg-subscriber-store.js';

/** What the PostgreSQL stores are given: this process (its locks) and the clock. */
export interface PgPersistenceOptions {
  readonly owner?: LockOwner;
  readonly clock: Clock;
}

/** Every port over one pool (DESIGN §5); the home still holds config.json, the outbox and schedule.env. */
export function pgPorts(sql: Sql, paths: HomePaths, options: PgPersistenceOptions): Persistence {
  const locks = new PgLocks(sql, options.owner === undefined ? {} : { owner: options.owner });
  const events = new PgEventLog(sql);
  return {
    subscribers: new PgSubscriberStore(sql),
    campaigns: new PgCampaignStore(sql, { clock: options.clock, locks }),
    events,
    schedules: new PgScheduleStore(sql, paths.home),
    signups: new PgSignupStore(sql),
    locks,
    // the event log's LISTEN connection is its own, outside the pool: it is ended first, or the process stays alive
    close: async () => {
      await events.close();
      await sql.end({ timeout: 5 });
    },
  };
}

/**
 * Every port in the PostgreSQL database `url` names (CANALE_DATABASE_URL / database.url): checked to hold the schema
 * this canale knows (else DATABASE_NOT_MIGRATED, naming `canale db migrate`), its pool closed by `close()`.
 */
export async function pgPersistence(url: string, paths: HomePaths, options: PgPersistenceOptions): Promise<Persistence> {
  const sql = openDatabase(url);
  try {
    await requireSchema(sql, shownUrl(url));
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw databaseError(error, url);
  }
  return pgPorts(sql, paths, options);
}
