/**
 * The schedules table of canale's PostgreSQL schema, migration 1 (see ../migrations.ts), for PgScheduleStore: one
 * row per schedule, in the order the schedules are kept (`position`), the schedule itself as `json` (kept as
 * written: jsonb would refuse a message holding \u0000). `update` locks the table against other writers (readers
 * go on) and rewrites it in one transaction.
 */
export const SCHEDULES_SCHEMA = `
create table canale_schedules (
  id text primary key,
  position integer not null unique,
  schedule json not null
);
`;
