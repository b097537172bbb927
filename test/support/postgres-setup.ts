import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { openDatabase } from '../../src/adapters/postgres/database.js';
// @ts-expect-error: a plain ES module of the project's scripts, without types
import { startCluster, stopCluster } from '../../scripts/pg-cluster.mjs';

/** The name of the database every test database is copied from: canale's schema, migrated once per run. */
export const TEMPLATE_DATABASE = 'canale_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of the test server's `postgres` database, to create each test's database from. */
    pgAdminUrl: string;
  }
}

/**
 * Vitest's global setup: a PostgreSQL server for the whole run — the one CANALE_TEST_DATABASE_URL names (.ci/run
 * starts one), else a throwaway cluster started here (scripts/pg-cluster.mjs) and stopped at the end — with a
 * template database migrated to canale's schema, which each test copies (test/support/postgres.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.CANALE_TEST_DATABASE_URL;
  const cluster = given === undefined || given === '' ? (startCluster() as { dir: string; url: string }) : undefined;
  const adminUrl = cluster?.url ?? (given as string);
  const admin = openDatabase(adminUrl, { max: 1 });
  try {
    await admin.unsafe(`drop database if exists ${TEMPLATE_DATABASE}`);
    await admin.unsafe(`create database ${TEMPLATE_DATABASE} template template0`);
  } finally {
    await admin.end();
  }
  const template = openDatabase(withDatabase(adminUrl, TEMPLATE_DATABASE), { max: 1 });
  try {
    await migrate(template);
  } finally {
    await template.end();
  }
  project.provide('pgAdminUrl', adminUrl);
  return async () => {
    if (cluster !== undefined) stopCluster(cluster.dir);
  };
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
