import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/adapters/postgres/migrations.js';
import { DEFAULT_TOPICS } from '../../src/core/topic.js';
import { runCli, useTempHome } from '../support/cli.js';
import { usePostgres } from '../support/postgres.js';

const pg = usePostgres();
const t = useTempHome();
const canale = (url: string, ...args: string[]) => runCli(args, { home: t.home, cwd: t.dir, env: { CANALE_DATABASE_URL: url } });

describe('canale on PostgreSQL (database.url), through the built binary', () => {
  it('makes the schema with db migrate (or init), once, with the default topics; keeps subscribers in the database, not db.json', async () => {
    const url = await pg.empty();
    const before = await canale(url, 'db', 'status');
    expect(before.code, before.stderr).toBe(1);
    expect(before.stdout).toMatch(/schema: version 0 — this canale needs \d+: run canale db migrate/);
    const refused = await canale(url, 'topics', 'list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('has no canale schema yet — create it with: canale db migrate');

    const doctorBefore = await canale(url, 'doctor');
    expect(doctorBefore.code).toBe(1);
    expect(doctorBefore.stdout).toMatch(/✗ store: the database at \S+ has no canale schema yet — create it with: canale db migrate/);
    expect(doctorBefore.stdout).toMatch(/ whatsapp: /);

    const migrated = await canale(url, 'db', 'migrate', '--json');
    expect(migrated.code, migrated.stderr).toBe(0);
    const outcome = JSON.parse(migrated.stdout) as { version: number; applied: { version: number }[]; url: string };
    expect(outcome.applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(outcome.url).not.toContain('@localhost/postgres');
    const init = await canale(url, 'init');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(new RegExp(`the database at postgres://postgres@localhost/canale_t\\S+ is up to date: schema version ${SCHEMA_VERSION}`));

    const topics = await canale(url, 'topics', 'list', '--json');
    expect((JSON.parse(topics.stdout) as Array<{ id: string }>).map((t) => t.id)).toEqual(DEFAULT_TOPICS.map((t) => t.id));
    const added = await canale(url, 'subscribers', 'add', '--phone', '+393331234567', '--topics', 'cantieri');
    expect(added.code, added.stderr).toBe(0);
    expect((await canale(url, 'subscribers', 'count', '--topic', 'cantieri')).stdout.trim()).toBe('1');
    // the home keeps config.json and the outbox; the citizen is in the database only
    await expect(readFile(join(t.home, 'db.json'), 'utf8')).rejects.toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(init.stderr).not.toContain('db.json');
    const doctor = await canale(url, 'doctor');
    expect(doctor.stdout).toMatch(/✓ store: the database postgres:\/\/postgres@localhost\/canale_t\S+ readable: 1 subscriber\(s\), 7 topic\(s\)/);
    const status = await canale(url, 'db', 'status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ schemaVersion: SCHEMA_VERSION, knownVersion: SCHEMA_VERSION, upToDate: true });
  });

  it('says when no database is configured, and never shows the password of one it cannot reach', async () => {
    const none = await runCli(['db', 'migrate'], { home: t.home, cwd: t.dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no database is configured');
    const unreachable = await canale('postgres://canale:s3cret-pw@localhost/canale?host=/nonexistent-folder', 'subscribers', 'count');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach the database at postgres://canale:********@localhost/canale');
    expect(unreachable.stderr + unreachable.stdout).not.toContain('s3cret-pw');
    const listed = await canale('postgres://canale:s3cret-pw@db.example.it:5432/canale', 'config', 'list');
    expect(listed.stdout).toContain('postgres://canale:********@db.example.it:5432/canale');
    expect(listed.stdout + listed.stderr).not.toContain('s3cret-pw');
  });
});
