import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type * as source from '../../../src/adapters/store/index-table.js';
import { HEADER_BYTES, SLOT_BYTES, slotCount, startIndexTable, type KeyHashes } from '../../../src/adapters/store/index-table.js';

/** The table's slots made in a worker thread (the built module: a worker runs JavaScript) and in this one. */
const BUILT = new URL('../../../dist/adapters/store/index-table.js', import.meta.url);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-index-table-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `count` keys of `owners` subscribers, hashes spread (xorshift) and some equal (one slot wanted by several). */
function keys(count: number, owners: number): KeyHashes {
  const hashes = new Uint32Array(count);
  const of = new Uint32Array(count);
  let x = 2463534242;
  for (let k = 0; k < count; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    hashes[k] = k % 97 === 0 ? 0xdeadbeef : (x >>> 0) || 1;
    of[k] = Math.floor((k * owners) / count);
  }
  return { count, hashes, owners: of };
}

const copy = (k: KeyHashes): KeyHashes => ({ count: k.count, hashes: k.hashes.slice(), owners: k.owners.slice() });

/** Every key is found by linear probing from its hash's slot, with the offset of its owner. */
function expectFindable(table: Buffer, k: KeyHashes, offsets: readonly number[]): void {
  const slots = slotCount(k.count);
  expect(table.length).toBe(HEADER_BYTES + slots * SLOT_BYTES);
  for (let i = 0; i < k.count; i++) {
    const hash = k.hashes[i] as number;
    const want = offsets[k.owners[i] as number] as number;
    let found = false;
    for (let slot = hash & (slots - 1); table.readUInt32LE(HEADER_BYTES + slot * SLOT_BYTES) !== 0; slot = (slot + 1) & (slots - 1)) {
      const at = HEADER_BYTES + slot * SLOT_BYTES;
      if (table.readUInt32LE(at) === hash && table.readUInt32LE(at + 4) + table.readUInt16LE(at + 8) * 2 ** 32 === want) found = true;
    }
    expect(found).toBe(true);
  }
}

describe('the index table', () => {
  it('finds every key at its line offset, offsets past 4 GB included', async () => {
    const k = keys(5_000, 2_000);
    const offsets = Array.from({ length: 2_000 }, (_, i) => i * 3_000_007);
    const path = join(dir, 'db.json.index');
    await startIndexTable(copy(k)).write(path, `${'{}'.padEnd(HEADER_BYTES - 1)}\n`, offsets);
    expectFindable(await readFile(path), k, offsets);
  });

  it('is the same made in a worker thread as in this one', async () => {
    expect(existsSync(BUILT), 'npm run build first: the worker runs the built module').toBe(true);
    const built = (await import(BUILT.href)) as typeof source;
    const k = keys(30_000, 10_000);
    const offsets = Array.from({ length: 10_000 }, (_, i) => i * 401);
    const header = `${'{"canaleIndex":1}'.padEnd(HEADER_BYTES - 1)}\n`;
    const [inWorker, inThread] = [join(dir, 'worker.index'), join(dir, 'thread.index')];
    await built.startIndexTable(copy(k), { workerFrom: 1 }).write(inWorker, header, offsets);
    await built.startIndexTable(copy(k), { workerFrom: Infinity }).write(inThread, header, offsets);
    const table = await readFile(inWorker);
    expect(table.equals(await readFile(inThread))).toBe(true);
    expect(table.subarray(0, HEADER_BYTES).toString('latin1')).toBe(header);
    expectFindable(table, k, offsets);
  });
});
