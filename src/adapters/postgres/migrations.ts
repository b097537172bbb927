import { CanaleError } from '../../core/errors.js';
import type { Sql } from './database.js';
import { importingError, readImportMarker } from './pg-import-marker.js';
import { AUDIENCE_SCHEMA } from './schema/audience.js';
import { CAMPAIGNS_SCHEMA } from './schema/campaigns.js';
import { EVENTS_SCHEMA } from './schema/events.js';
import { LOCKS_SCHEMA } from './schema/locks.js';
import { REPLY_COUNTS_SCHEMA } from './schema/reply-counts.js';
import { SCHEDULES_SCHEMA } from './schema/schedules.js';
import { SIGNUPS_SCHEMA } from './schema/signups.js';
import { SUBSCRIBERS_SCHEMA } from './schema/subscribers.js';

/** One step of the schema: applied once, in order, in a transaction of its own. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * canale's schema, every version of it (DESIGN §5). A release that changes the schema appends a migration; one
 * already released is never edited (a database that applied it would never see the change).
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'subscribers, topics, templates, campaigns, journals, events, schedules, locks', sql: [SUBSCRIBERS_SCHEMA, CAMPAIGNS_SCHEMA, EVENTS_SCHEMA, SCHEDULES_SCHEMA, LOCKS_SCHEMA].join('\n') },
  { version: 2, name: 'the topics subscribers left, and the attribute names they have', sql: AUDIENCE_SCHEMA },
  { version: 3, name: 'web sign-ups waiting for their confirmation', sql: SIGNUPS_SCHEMA },
  { version: 4, name: 'answers to citizens per day, beside the inbox cursor', sql: REPLY_COUNTS_SCHEMA },
];

/** The schema version this canale writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** The advisory lock key that serialises migrations of one database (two `init` at once apply each step once). */
const MIGRATION_LOCK = 7_263_001;

const HISTORY = `create table if not exists canale_schema (
  version integer primary key,
  name text not null,
  applied_at timestamptz not null default now()
)`;

/** The schema version a database holds: 0 when canale never migrated it. */
export async function schemaVersion(sql: Sql): Promise<number> {
  const [row] = await sql<{ exists: boolean }[]>`select to_regclass('canale_schema') is not null as exists`;
  if (row?.exists !== true) return 0;
  const [latest] = await sql<{ version: number | null }[]>`select max(version) as version from canale_schema`;
  return latest?.version ?? 0;
}

/** What `migrate` did: the versions it applied (none: the schema was up to date) and the version now. */
export interface MigrationResult {
  readonly applied: readonly Migration[];
  readonly version: number;
}

/**
 * Brings the database's schema to SCHEMA_VERSION: each missing step in its own transaction, under an advisory lock
 * so that two processes migrating at once apply each step once. A database newer than this canale is refused
 * (DATABASE_NEWER): an older canale must not write to a schema it does not know.
 */
export async function migrate(sql: Sql, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  const applied: Migration[] = [];
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx.unsafe(HISTORY);
  });
  for (const step of migrations) {
    const done = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
      const [row] = await tx<{ n: number }[]>`select count(*)::int as n from canale_schema where version = ${step.version}`;
      if ((row?.n ?? 0) > 0) return false;
      await tx.unsafe(step.sql);
      await tx`insert into canale_schema (version, name) values (${step.version}, ${step.name})`;
      return true;
    });
    if (done) applied.push(step);
  }
  const version = await schemaVersion(sql);
  const known = migrations.at(-1)?.version ?? 0;
  if (version > known) throw newerSchema(version, known);
  return { applied, version };
}

function newerSchema(version: number, known: number): CanaleError {
  return new CanaleError('DATABASE_NEWER', `the database's schema is version ${version}, newer than this canale knows (${known}) — upgrade canale on this machine`);
}

/**
 * Refuses to work on a database whose schema is not the one this canale knows: not migrated yet (run `canale db
 * migrate`, which `canale init` also runs) or migrated by a newer canale; and one a `db import-home` is copying a
 * home into, or left half copied (DATABASE_IMPORTING): nothing is read from it or sent from it until the copy is whole.
 */
export async function requireSchema(sql: Sql, where: string): Promise<void> {
  await requireSchemaVersion(sql, where);
  const marker = await readImportMarker(sql);
  if (marker !== undefined) throw importingError(marker, where);
}

/** The schema check of requireSchema alone: `db import-home` works on a database its own earlier run left half copied. */
export async function requireSchemaVersion(sql: Sql, where: string): Promise<void> {
  const version = await schemaVersion(sql);
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) throw newerSchema(version, SCHEMA_VERSION);
  throw new CanaleError(
    'DATABASE_NOT_MIGRATED',
    version === 0
      ? `the database at ${where} has no canale schema yet — create it with: canale db migrate`
      : `the database at ${where} has schema version ${version}, this canale needs ${SCHEMA_VERSION} — bring it up to date with: canale db migrate`,
  );
}
