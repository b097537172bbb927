import { afterAll, inject } from 'vitest';
import { openDatabase, type Sql } from '../../src/adapters/postgres/database.js';
import { TEMPLATE_DATABASE, withDatabase } from './postgres-setup.js';

let made = 0;

/**
 * Fresh PostgreSQL databases for tests, on the run's server (test/support/postgres-setup.ts): `database()` copies
 * the migrated template (tens of milliseconds) and returns its URL; `empty()` makes one with no canale schema (for
 * `db migrate`). Every database made is dropped after the file's tests, with whatever still connects to it.
 */
export function usePostgres(): { database(): Promise<string>; empty(): Promise<string>; admin(): Sql } {
  const adminUrl = inject('pgAdminUrl');
  const names: string[] = [];
  let admin: Sql | undefined;
  const getAdmin = (): Sql => (admin ??= openDatabase(adminUrl, { max: 2 }));
  const make = async (template: string): Promise<string> => {
    const name = `canale_t${process.pid}_${++made}`;
    names.push(name);
    await getAdmin().unsafe(`create database ${name} template ${template}`);
    return withDatabase(adminUrl, name);
  };
  afterAll(async () => {
    if (admin === undefined) return;
    for (const name of names.splice(0)) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  return { database: () => make(TEMPLATE_DATABASE), empty: () => make('template0'), admin: getAdmin };
}
