/**
 * The campaigns tables of canale's PostgreSQL schema, migration 1 (see ../migrations.ts): written for the
 * Pg* implementations of the campaigns port in ../.
 */
export const CAMPAIGNS_SCHEMA = `
`;
