/**
 * Migration 4 of canale's PostgreSQL schema (see ../migrations.ts): the answers the webhook server sent citizens, per
 * UTC day, beside the inbox cursor's other counters (`EventCursor.replies`: `{"2026-12-04": 12}`, the last 31 days).
 */
export const REPLY_COUNTS_SCHEMA = `
alter table canale_inbox_cursor add column replies jsonb not null default '{}'::jsonb;
`;
