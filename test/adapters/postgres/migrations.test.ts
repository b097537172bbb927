import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/adapters/postgres/database.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, requireSchema, schemaVersion } from '../../../src/adapters/postgres/migrations.js';
import { usePostgres } from '../../support/postgres.js';

const pg = usePostgres();

describe('the PostgreSQL schema', () => {
  it('is created on an empty database, each step once, even by two migrations at once; then it is up to date', async () => {
    const url = await pg.empty();
    const [a, b] = [openDatabase(url), openDatabase(url)];
    try {
      await expect(requireSchema(a, 'db')).rejects.toThrow(expect.objectContaining({ code: 'DATABASE_NOT_MIGRATED', message: expect.stringContaining('canale db migrate') }));
      const [first, second] = await Promise.all([migrate(a), migrate(b)]);
      expect(first.applied.length + second.applied.length).toBe(MIGRATIONS.length);
      expect(first.version).toBe(SCHEMA_VERSION);
      expect((await migrate(a)).applied).toEqual([]);
      await expect(requireSchema(a, 'db')).resolves.toBeUndefined();
      expect(await a`select version, name from canale_schema order by version`).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('is refused when a newer canale migrated it: an older one must not write to a schema it does not know', async () => {
    const sql = openDatabase(await pg.database());
    try {
      await sql`insert into canale_schema (version, name) values (${SCHEMA_VERSION + 1}, 'from the future')`;
      expect(await schemaVersion(sql)).toBe(SCHEMA_VERSION + 1);
      await expect(requireSchema(sql, 'db')).rejects.toThrow(expect.objectContaining({ code: 'DATABASE_NEWER' }));
      await expect(migrate(sql)).rejects.toThrow(expect.objectContaining({ code: 'DATABASE_NEWER' }));
    } finally {
      await sql.end();
    }
  });
});
