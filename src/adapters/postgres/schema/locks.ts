/**
 * The locks of canale's PostgreSQL schema, migration 1 (see ../migrations.ts), for PgLocks. A lock is held as a
 * session advisory lock (`pg_try_advisory_lock(hashtext('canale:' || name))`) on a connection the holder keeps for
 * the lock's life: a holder killed with -9 loses its connection and PostgreSQL releases the lock at once, on every
 * machine. The row says who holds it (campaign, pid, host, since) for messages; a row whose advisory lock nobody
 * holds is a dead holder's, taken over by the next taker.
 */
export const LOCKS_SCHEMA = `
create table canale_locks (
  name text primary key,
  holder jsonb not null,
  taken_at timestamptz not null default now()
);
`;
