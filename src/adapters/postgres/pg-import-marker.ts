import { CanaleError } from '../../core/errors.js';
import { canaleCommand } from '../../core/shell-quote.js';
import type { Sql, TxSql } from './database.js';

/** The lock a `db import-home` holds while it copies (PgLocks): an import under way is told from one that was killed. */
export const IMPORT_LOCK = 'import-home';

/** The mark of a `db import-home` that has not finished (schema/locks.ts): which home, since when, and whether it still runs. */
export interface ImportMarker {
  readonly home: string;
  readonly startedAt: string;
  readonly isRunning: boolean;
}

/** The database's import mark, if a `db import-home` started and did not finish: one query. */
export async function readImportMarker(sql: Sql | TxSql): Promise<ImportMarker | undefined> {
  const [row] = await sql<{ home: string; started_at: Date; running: boolean }[]>`
    select home, started_at, canale_lock_held(${IMPORT_LOCK}) as running from canale_import_in_progress`;
  return row === undefined ? undefined : { home: row.home, startedAt: row.started_at.toISOString(), isRunning: row.running };
}

/**
 * What every command but `db import-home` says of a database with the mark: a database half copied is never worked
 * on. A copy under way is waited for (busy); one that was stopped (an error, a kill) is run again, and starts over.
 */
export function importingError(marker: ImportMarker, where: string): CanaleError {
  if (marker.isRunning) {
    return new CanaleError(
      'DATABASE_IMPORTING',
      `a db import-home from ${marker.home} is copying it into the database at ${where} now (since ${marker.startedAt}) — nothing was done; run this again once it has finished`,
      { exit: 'busy' },
    );
  }
  return new CanaleError(
    'DATABASE_IMPORTING',
    `a db import-home from ${marker.home} started at ${marker.startedAt} did not finish — run it again: it starts over (${canaleCommand('db', 'import-home', marker.home, '--yes')}); until then no canale command uses the database at ${where}`,
  );
}
