/**
 * The schedules tables of canale's PostgreSQL schema, migration 1 (see ../migrations.ts): written for the
 * Pg* implementations of the schedules port in ../.
 */
export const SCHEDULES_SCHEMA = `
`;
