/**
 * The events tables of canale's PostgreSQL schema, migration 1 (see ../migrations.ts): written for the
 * Pg* implementations of the events port in ../.
 */
export const EVENTS_SCHEMA = `
`;
