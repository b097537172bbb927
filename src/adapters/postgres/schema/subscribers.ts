/**
 * The subscribers tables of canale's PostgreSQL schema, migration 1 (see ../migrations.ts): written for the
 * Pg* implementations of the subscribers port in ../.
 */
export const SUBSCRIBERS_SCHEMA = `
`;
