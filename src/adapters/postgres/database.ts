import postgres from 'postgres';
import { CanaleError } from '../../core/errors.js';

/** A connection pool to canale's PostgreSQL database (porsager's `postgres`: pure JS, COPY for bulk loads). */
export type Sql = postgres.Sql;
/** One transaction's connection (`sql.begin`). */
export type TxSql = postgres.TransactionSql;

/** The URL as it may be shown: the password hidden, everything else as given. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '********';
    return parsed.toString();
  } catch {
    return '(a database URL that cannot be read)';
  }
}

/** What a URL gives the driver: libpq's writing, with `?host=/folder` for a Unix socket as psql takes it. */
export interface DatabaseOptions {
  readonly host: string;
  readonly port: number;
  readonly path?: string;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly ssl: boolean | 'require' | 'prefer' | 'verify-full';
  readonly applicationName: string;
}

/**
 * Reads `postgres://user:pass@host:5432/canale` (also `postgresql://`), with `?host=/run/postgresql` (a Unix
 * socket folder, as libpq and psql read it) and `?sslmode=disable|prefer|require|verify-full`. Anything else in the
 * query is refused by name rather than sent to the server.
 */
export function databaseOptions(url: string): DatabaseOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CanaleError('CONFIG_INVALID', `database.url: ${shownUrl(url)} is not a URL — expected postgres://user:pass@host:5432/canale`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new CanaleError('CONFIG_INVALID', `database.url: expected a postgres:// URL, not ${parsed.protocol}//…`);
  }
  const port = parsed.port === '' ? 5432 : Number(parsed.port);
  const socketFolder = parsed.searchParams.get('host') ?? undefined;
  const sslmode = parsed.searchParams.get('sslmode') ?? undefined;
  for (const key of parsed.searchParams.keys()) {
    if (key !== 'host' && key !== 'sslmode' && key !== 'application_name') {
      throw new CanaleError('CONFIG_INVALID', `database.url: canale does not know the parameter ?${key}= — it takes ?host=/socket/folder, ?sslmode= and ?application_name=`);
    }
  }
  const ssl = sslmode === undefined || sslmode === 'disable' ? false : sslmode === 'require' || sslmode === 'prefer' || sslmode === 'verify-full' ? sslmode : undefined;
  if (ssl === undefined) throw new CanaleError('CONFIG_INVALID', `database.url: sslmode=${sslmode} — expected disable, prefer, require or verify-full`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return {
    host: decodeURIComponent(parsed.hostname) || 'localhost',
    port,
    ...(socketFolder === undefined ? {} : { path: `${socketFolder.replace(/\/+$/, '')}/.s.PGSQL.${port}` }),
    database: database === '' ? 'canale' : database,
    user: decodeURIComponent(parsed.username) || 'canale',
    password: decodeURIComponent(parsed.password),
    ssl,
    applicationName: parsed.searchParams.get('application_name') ?? 'canale',
  };
}

/** Options of the pool: how many connections, and how long an idle one is kept. */
export interface PoolOptions {
  readonly max?: number;
  readonly idleSeconds?: number;
}

/**
 * Opens a pool to the database `url` names. Nothing connects until the first query; a server that cannot be reached
 * is reported by `reachable` (or the first query) as DATABASE_UNREACHABLE, naming the URL without its password.
 */
export function openDatabase(url: string, pool: PoolOptions = {}): Sql {
  const o = databaseOptions(url);
  return postgres({
    host: o.host,
    port: o.port,
    ...(o.path === undefined ? {} : { path: o.path }),
    database: o.database,
    username: o.user,
    password: o.password,
    ssl: o.ssl,
    max: pool.max ?? 10,
    idle_timeout: pool.idleSeconds ?? 30,
    connect_timeout: 10,
    // canale's own statements raise no notice worth showing; `create … if not exists` would print one each
    onnotice: () => undefined,
    connection: { application_name: o.applicationName },
    // bigint columns (positions, counts) read as numbers: none of canale's can pass 2^53
    types: { bigint: { to: 20, from: [20], serialize: (n: number) => String(n), parse: (text: string) => Number(text) } },
    transform: { undefined: null },
  });
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ENOENT', 'ETIMEDOUT', 'EHOSTUNREACH', 'CONNECT_TIMEOUT', 'EAI_AGAIN']);

/**
 * A driver error as canale says it: the server unreachable, the login refused, the database missing — each with the
 * URL (password hidden) and what to do; anything else is returned as it is.
 */
export function databaseError(error: unknown, url: string): unknown {
  const e = error as { code?: string; message?: string };
  const where = shownUrl(url);
  if (e.code !== undefined && UNREACHABLE.has(e.code)) {
    return new CanaleError('DATABASE_UNREACHABLE', `cannot reach the database at ${where} (${e.code}) — is PostgreSQL running there, and is database.url (CANALE_DATABASE_URL) right?`);
  }
  if (e.code === '28P01' || e.code === '28000') {
    return new CanaleError('DATABASE_LOGIN', `the database at ${where} refused the login (${e.message ?? e.code}) — check the user and password in database.url`);
  }
  if (e.code === '3D000') {
    return new CanaleError('DATABASE_UNREACHABLE', `the database at ${where} does not exist — create it (createdb) and run: canale db migrate`);
  }
  return error;
}
