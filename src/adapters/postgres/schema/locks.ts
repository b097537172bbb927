/**
 * The locks of canale's PostgreSQL schema, migration 1 (see ../migrations.ts), for PgLocks. A lock is held as a
 * session advisory lock (`pg_try_advisory_lock(canale_lock_key(name))`, that is `hashtext('canale:' || name)`) on
 * a connection the holder keeps for the lock's life: a holder killed with -9 loses its connection and PostgreSQL
 * releases the lock at once, on every machine. The row says who holds it (campaign, pid, host, since) for messages;
 * a row whose advisory lock nobody holds is a dead holder's, taken over by the next taker. `token` is the holder's
 * own mark: it removes its row only while the row is still its own.
 *
 * `canale_import_in_progress` is the mark of a `db import-home` (../pg-import-home.ts): one row, committed before
 * the home is copied and deleted once all of it is. While it is there every command refuses the database
 * (requireSchema, in ../migrations.ts: a database half copied is never sent from), and the next `db import-home`
 * empties canale's tables and starts over. The import holds the lock `import-home` meanwhile, so a refusal can tell an
 * import under way from one that was killed.
 */
export const LOCKS_SCHEMA = `
create table canale_locks (
  name text primary key,
  holder jsonb not null,
  token text,
  taken_at timestamptz not null default now()
);

create function canale_lock_key(name text) returns bigint language sql immutable as $fn$
  select hashtext('canale:' || name)::bigint
$fn$;

-- whether some session (of any machine) holds the advisory lock of the name now, without taking it: pg_locks shows a
-- one-bigint advisory key as its high and low 32 bits (classid, objid) with objsubid 1
create function canale_lock_held(name text) returns boolean language sql stable as $fn$
  select exists (
    select 1 from pg_locks
    where locktype = 'advisory' and granted and objsubid = 1
      and database = (select oid from pg_database where datname = current_database())
      and classid = ((canale_lock_key(name) >> 32) & 4294967295)::oid
      and objid = (canale_lock_key(name) & 4294967295)::oid
  )
$fn$;

create table canale_import_in_progress (
  only_row boolean primary key default true check (only_row),
  home text not null,
  started_at timestamptz not null
);
`;
