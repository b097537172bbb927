import { usageError } from '../core/errors.js';
import type { Context } from './context.js';

/** The admin side of the database: loaded only by `canale db …` (and `init` with a database), never by a home. */
export const admin = () => import('../adapters/postgres/pg-admin.js');

/** The configured database URL, or a usage error saying how to configure one. */
export async function databaseUrl(ctx: Context): Promise<string> {
  const url = (await ctx.settings()).get('database.url');
  if (url === undefined) {
    throw usageError('NO_DATABASE', 'no database is configured: this home keeps everything in its own files — set one with: canale config set database.url postgres://user:pass@host:5432/canale (or CANALE_DATABASE_URL)');
  }
  return url;
}
