/**
 * Migration 3 of canale's PostgreSQL schema (see ../migrations.ts): the web sign-ups waiting for their confirmation,
 * as one book (PgSignupStore): one row, the book as `json`. Small — a sign-up lives `signup.pendingDays` — and
 * changed under that row's lock, so two machines serving the page never lose each other's sign-ups.
 */
export const SIGNUPS_SCHEMA = `
create table canale_signups (
  id smallint primary key check (id = 1),
  book json not null
);
insert into canale_signups (id, book) values (1, '{"pending":[],"usedTokens":[],"days":[]}');
`;
