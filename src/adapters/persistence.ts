import type { Clock, Persistence, SubscriberPorts } from '../core/ports.js';
import type { LockOwner } from './fs/lock-holder.js';
import type { HomePaths } from './home.js';

/** What the stores of a command are built from: the home, the clock, this process, and the database if any. */
export interface PersistenceOptions {
  readonly clock: Clock;
  readonly owner?: LockOwner;
  /** `database.url` (CANALE_DATABASE_URL): everything in PostgreSQL; absent: the JSON files of the home. */
  readonly databaseUrl?: string;
}

/**
 * The ports a command works with (DESIGN §5): PostgreSQL when a database URL is configured, else the home's JSON
 * files. Each is imported only when chosen: a command on a home loads no database driver, and the other way round.
 */
export async function persistenceFor(paths: HomePaths, options: PersistenceOptions): Promise<Persistence> {
  const { databaseUrl, ...rest } = options;
  if (databaseUrl !== undefined) return (await import('./postgres/pg-persistence.js')).pgPersistence(databaseUrl, paths, rest);
  return (await import('./home-persistence.js')).homePersistence(paths, rest);
}

/**
 * The subscriber store alone, for a command that needs nothing else (`subscribers add`, `list`, `count`…): on a home,
 * db.json's store without the modules of the campaigns, journals, event log, schedules and locks (a tenth of the
 * add's time at a million); on a database, the database's ports, as they share one pool.
 */
export async function subscriberStoreFor(paths: HomePaths, options: PersistenceOptions): Promise<SubscriberPorts> {
  if (options.databaseUrl !== undefined) return persistenceFor(paths, options);
  const { JsonSubscriberStore } = await import('./store/json-subscriber-store.js');
  return { subscribers: new JsonSubscriberStore(paths.db, options.owner === undefined ? {} : { owner: options.owner }) };
}
