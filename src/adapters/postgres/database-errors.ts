import { CanaleError } from '../../core/errors.js';

/** The driver's error as its fields say (porsager's PostgresError, or a connection error): no driver import needed. */
interface DriverError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
}

const CONNECTION_LOST = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '57P02', '57P03', '08006', '08003', '08000']);

/**
 * A database error met while a command ran, said as canale says errors (main reports it with exit 1, never as a
 * bug): a privilege the role in database.url lacks (the public host's role reading the subscriber list), a server
 * that went away, too many connections. Undefined for anything else.
 */
export function describeDatabaseError(error: unknown): CanaleError | undefined {
  const e = error as DriverError | undefined;
  if (e === undefined || e === null || typeof e.code !== 'string') return undefined;
  if (e.name === 'PostgresError' && e.code === '42501') {
    return new CanaleError(
      'DATABASE_REFUSED',
      `the database refused this: ${e.message ?? 'permission denied'} — the role in database.url may not do it (the public host's role, made by canale db roles, cannot read or export the subscriber list): run it with the staff's database.url`,
    );
  }
  if (CONNECTION_LOST.has(e.code)) {
    return new CanaleError('DATABASE_UNREACHABLE', `the connection to the database was lost (${e.code}) — check that PostgreSQL is running, then run the same command again (what was written is committed or not at all)`);
  }
  if (e.name === 'PostgresError' && e.code === '53300') {
    return new CanaleError('DATABASE_BUSY', 'the database has no connection left for canale (too many connections) — try again in a moment, or raise max_connections', { exit: 'busy' });
  }
  return undefined;
}
