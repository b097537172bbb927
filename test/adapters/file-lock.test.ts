import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock, type LockOwner } from '../../src/adapters/fs/file-lock.js';
import { HOLDERLESS_MS, lockFileSystem, takeOverAbandoned } from '../../src/adapters/fs/lock-holder.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-lock-'));
  path = join(dir, 'db.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A process table where only the pids in `living` exist. */
const owner = (pid: number, living: number[]): LockOwner => ({ pid, alive: (other) => other === pid || living.includes(other) });

/** A lock folder as a canale that was killed leaves it. */
async function leftLock(record: object): Promise<void> {
  await mkdir(`${path}.lock`, { mode: 0o700 });
  await writeFile(join(`${path}.lock`, 'holder.json'), `${JSON.stringify(record)}\n`);
}

describe('withFileLock', () => {
  it('makes the lock folder 0700 with a record of its holder even without an owner, and removes it after', async () => {
    const held = await withFileLock(path, { waitMs: 0 }, async () => ({
      folder: (await stat(`${path}.lock`)).mode & 0o777,
      entries: await readdir(`${path}.lock`),
      record: JSON.parse(await readFile(join(`${path}.lock`, 'holder.json'), 'utf8')) as object,
    }));
    expect(held).toEqual({ folder: 0o700, entries: ['holder.json'], record: { host: hostname(), nonce: expect.stringMatching(/^[0-9a-f]{16}$/) } });
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over at once a lock left without holder.json for more than a second (its maker killed while making it)', async () => {
    await mkdir(`${path}.lock`, { mode: 0o700 });
    const past = new Date(Date.now() - 2 * HOLDERLESS_MS);
    await utimes(`${path}.lock`, past, past);
    expect(await withFileLock(path, { waitMs: 0, owner: owner(4242, []) }, async () => 'ran')).toBe('ran');
  });

  it('records its holder (pid, host) in the lock folder, 0600', async () => {
    const held = await withFileLock(path, { waitMs: 0, owner: owner(4242, []) }, async () => {
      const file = join(`${path}.lock`, 'holder.json');
      return { record: JSON.parse(await readFile(file, 'utf8')) as object, mode: (await stat(file)).mode & 0o777 };
    });
    expect(held).toEqual({ record: { pid: 4242, host: hostname(), nonce: expect.stringMatching(/^[0-9a-f]{16}$/) }, mode: 0o600 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over at once a lock whose holder on this machine is gone (waitMs 0: no waiting at all)', async () => {
    await leftLock({ pid: 999_001, host: hostname(), nonce: 'dead' });
    const record = await withFileLock(path, { waitMs: 0, owner: owner(4242, []) }, async () => readFile(join(`${path}.lock`, 'holder.json'), 'utf8'));
    expect(JSON.parse(record)).toMatchObject({ pid: 4242 });
  });

  it('takes over a lock that nobody kept fresh for staleMs, whoever held it (another machine)', async () => {
    await leftLock({ pid: 999_005, host: 'another-host', nonce: 'old' });
    const past = new Date('2026-01-01T00:00:00Z');
    await utimes(`${path}.lock`, past, past);
    expect(await withFileLock(path, { waitMs: 0, owner: owner(4242, []) }, async () => 'ran')).toBe('ran');
  });

  it.each([
    ['a live holder on this machine', { pid: 999_002, host: hostname() }, [999_002]],
    ['a holder on another machine', { pid: 999_003, host: 'another-host' }, []],
    ['a lock without holder.json just made (its record is being renamed in)', undefined, []],
  ])('waits for %s (BUSY when it does not let go)', async (_name, record, living) => {
    if (record === undefined) await mkdir(`${path}.lock`, { mode: 0o700 });
    else await leftLock(record);
    await expect(withFileLock(path, { waitMs: 50, owner: owner(4242, living) }, async () => 'ran')).rejects.toMatchObject({ code: 'BUSY', exit: 'busy' });
    expect(await readdir(`${path}.lock`)).toEqual(record === undefined ? [] : ['holder.json']);
  });

  it('a holder that was taken over does not remove its successor’s lock when it lets go', async () => {
    const first = lockFileSystem(owner(111, []));
    const call = (name: 'mkdir' | 'rmdir') =>
      new Promise<void>((resolve, reject) => (first.fs[name] as (p: string, cb: (e: Error | null) => void) => void)(`${path}.lock`, (e) => (e ? reject(e) : resolve())));
    await call('mkdir');
    expect(first.takenAtMs()).toBeGreaterThan(0);
    // 111 was believed gone and 222 took the lock over: 111's late release leaves 222's lock alone
    await rm(`${path}.lock`, { recursive: true });
    await leftLock({ pid: 222, host: hostname(), nonce: 'successor' });
    await call('rmdir');
    expect(await readdir(`${path}.lock`)).toEqual(['holder.json']);
    (first.fs['rmdirSync'] as (p: string) => void)(`${path}.lock`);
    expect(await readdir(`${path}.lock`)).toEqual(['holder.json']);
  });

  it('serialises many concurrent holders of one process, none lost, after a dead holder', async () => {
    await leftLock({ pid: 999_004, host: hostname(), nonce: 'dead' });
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(path, { waitMs: 5_000, owner: owner(4242, []) }, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((resolve) => setImmediate(resolve));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('takeOverAbandoned, when the lock changes hands while it looks', () => {
  it("never removes a new holder's lock for the death of the holder that released it and exited meanwhile", async () => {
    await leftLock({ pid: 111, host: hostname(), nonce: 'aaaaaaaaaaaaaaaa' });
    const successor = { pid: 222, host: hostname(), nonce: 'bbbbbbbbbbbbbbbb' };
    let raced = false;
    // 111 releases its lock and exits, and 222 takes the lock, between the taker's look and its judgement
    const racing: LockOwner = {
      pid: 999,
      alive: (other) => {
        if (other === 111 && !raced) {
          raced = true;
          rmSync(`${path}.lock`, { recursive: true, force: true });
          mkdirSync(`${path}.lock`, { mode: 0o700 });
          writeFileSync(join(`${path}.lock`, 'holder.json'), `${JSON.stringify(successor)}\n`);
        }
        return other === 222 || other === 999;
      },
    };
    expect(await takeOverAbandoned(path, 30_000, racing)).toBe(true);
    expect(raced).toBe(true);
    expect(JSON.parse(await readFile(join(`${path}.lock`, 'holder.json'), 'utf8'))).toEqual(successor);
    // asked again, it sees the live successor and leaves it
    expect(await takeOverAbandoned(path, 30_000, racing)).toBe(false);
  });
});
