import { DEFAULT_TOPICS } from '../../core/topic.js';
import { databaseError, openDatabase, shownUrl, type Sql } from './database.js';
import { migrate, schemaVersion, SCHEMA_VERSION, type MigrationResult } from './migrations.js';
import { PgSubscriberStore } from './pg-subscriber-store.js';

/** Runs `work` on a pool to `url`, closed afterwards; driver errors said as canale says them. */
export async function withDatabase<T>(url: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = openDatabase(url, { max: 4 });
  try {
    return await work(sql);
  } catch (error) {
    throw databaseError(error, url);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** What `db migrate` did: the steps applied, the version now, and whether the default topics were put in. */
export interface MigrateOutcome extends MigrationResult {
  readonly url: string;
  readonly seededTopics: number;
}

/**
 * Brings the database to this canale's schema (`canale db migrate`, also run by `init`); a database that had no
 * schema gets the default topics, as a new home does.
 */
export async function migrateDatabase(url: string): Promise<MigrateOutcome> {
  return withDatabase(url, async (sql) => {
    const result = await migrate(sql);
    const seededTopics = result.applied.some((m) => m.version === 1)
      ? await new PgSubscriberStore(sql).transaction({}, (tx) => {
          if (tx.topics().length > 0) return 0;
          for (const topic of DEFAULT_TOPICS) tx.putTopic(topic);
          return DEFAULT_TOPICS.length;
        })
      : 0;
    return { ...result, url: shownUrl(url), seededTopics };
  });
}

/** The database as `db status` shows it: where, the schema versions, and how much it holds. */
export interface DatabaseStatus {
  readonly url: string;
  readonly server: string;
  readonly schemaVersion: number;
  readonly knownVersion: number;
  readonly upToDate: boolean;
}

export async function databaseStatus(url: string): Promise<DatabaseStatus> {
  return withDatabase(url, async (sql) => {
    const [row] = await sql<{ server: string }[]>`select current_setting('server_version') as server`;
    const version = await schemaVersion(sql);
    return { url: shownUrl(url), server: row?.server ?? '?', schemaVersion: version, knownVersion: SCHEMA_VERSION, upToDate: version === SCHEMA_VERSION };
  });
}
