import { databaseError, openDatabase, shownUrl, type Sql } from './database.js';
import { readImportMarker, type ImportMarker } from './pg-import-marker.js';
import { migrate, schemaVersion, SCHEMA_VERSION, type MigrationResult } from './migrations.js';

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

/** What `db migrate` did: the steps applied and the version now. */
export interface MigrateOutcome extends MigrationResult {
  readonly url: string;
}

/**
 * Brings the database to this canale's schema (`canale db migrate`, also run by `init`); the first migration puts in
 * the default topics, as a new home has them.
 */
export async function migrateDatabase(url: string): Promise<MigrateOutcome> {
  return withDatabase(url, async (sql) => ({ ...(await migrate(sql)), url: shownUrl(url) }));
}

/** The database as `db status` shows it: where, the schema versions, and how much it holds. */
export interface DatabaseStatus {
  readonly url: string;
  readonly server: string;
  readonly schemaVersion: number;
  readonly knownVersion: number;
  readonly upToDate: boolean;
  /** A `db import-home` that started and has not finished: every other command refuses the database meanwhile. */
  readonly importing?: ImportMarker;
}

export async function databaseStatus(url: string): Promise<DatabaseStatus> {
  return withDatabase(url, async (sql) => {
    const [row] = await sql<{ server: string }[]>`select current_setting('server_version') as server`;
    const version = await schemaVersion(sql);
    const importing = version === SCHEMA_VERSION ? await readImportMarker(sql) : undefined;
    return {
      url: shownUrl(url),
      server: row?.server ?? '?',
      schemaVersion: version,
      knownVersion: SCHEMA_VERSION,
      upToDate: version === SCHEMA_VERSION,
      ...(importing === undefined ? {} : { importing }),
    };
  });
}
