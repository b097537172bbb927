import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/adapters/postgres/database.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, requireSchema, schemaVersion } from '../../../src/adapters/postgres/migrations.js';
import { aSubscriber } from '../../support/builders.js';
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

  it('brings a database of version 1 up to date, the left topics and attribute names taken from the records there', async () => {
    const sql = openDatabase(await pg.empty());
    try {
      await migrate(sql, MIGRATIONS.slice(0, 1));
      const left = aSubscriber({ topics: ['scuola'], optedOutTopics: ['cantieri'], attributes: { municipio: 'I', cap: '00184' } });
      const plain = aSubscriber({ topics: ['cantieri'], attributes: { municipio: 'II' } });
      for (const s of [left, plain]) {
        await sql`insert into canale_subscribers (id, status, topics, record) values (${s.id}, ${s.status}, ${[...s.topics]}, ${s as never}::json)`;
      }
      await expect(requireSchema(sql, 'db')).rejects.toThrow(expect.objectContaining({ code: 'DATABASE_NOT_MIGRATED', message: expect.stringContaining(`schema version 1, this canale needs ${SCHEMA_VERSION}`) }));
      expect((await migrate(sql)).applied.map((m) => m.version)).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
      expect(await sql`select id, left_topics from canale_subscribers order by position`).toEqual([
        { id: left.id, left_topics: ['cantieri'] },
        { id: plain.id, left_topics: [] },
      ]);
      expect(await sql`select name, holders from canale_attribute_names order by name`).toEqual([
        { name: 'cap', holders: 1 },
        { name: 'municipio', holders: 2 },
      ]);
    } finally {
      await sql.end();
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
