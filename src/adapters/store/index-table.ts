import { Worker } from 'node:worker_threads';
import { CanaleError, isCanaleError } from '../../core/errors.js';
import { writeFileAtomic } from '../fs/atomic-file.js';

/**
 * The slots of `db.json.index` (store-index.ts: 12 bytes each, a 32-bit key hash and a 6-byte line offset, linear
 * probing), made from the key hashes of a store being written. They are placed in two steps: the keys with their
 * subscriber's position while db.json is written (in a worker thread for a big store, so the second core does it
 * meanwhile), then the positions turned into line offsets once the write has told them.
 */
export const HEADER_BYTES = 256;
export const SLOT_BYTES = 12;
/** From this many keys the slots are placed in a worker thread; below, starting one costs more than it saves. */
const WORKER_FROM = 200_000;
/** Slots in a group of the table: 4,096 groups of a 100 MB table are 24 KB each, held in cache while filled. */
const GROUP_BITS = 12;

/** The slots for `count` keys: a power of two, at most half full (linear probing stays short). */
export function slotCount(count: number): number {
  let slots = 16;
  while (slots * 0.5 < count) slots *= 2;
  return slots;
}

/**
 * Puts each key in the first free slot from the one its hash names, with its owner (the subscriber's position) where
 * the offset goes. The keys are taken in the order of their slot (a counting sort by group), so the table is filled
 * from its start to its end rather than at random: three million keys scattered over 100 MB miss the cache at
 * nearly every one, and cost three times as much.
 */
export function placeKeys(table: Uint8Array, slots: number, hashes: Uint32Array, owners: Uint32Array, count: number): void {
  const view = new DataView(table.buffer, table.byteOffset + HEADER_BYTES, slots * SLOT_BYTES);
  const mask = slots - 1;
  const bits = Math.log2(slots);
  const shift = bits - Math.min(GROUP_BITS, bits);
  const starts = new Uint32Array((1 << (bits - shift)) + 1);
  for (let k = 0; k < count; k++) starts[(((hashes[k] as number) & mask) >>> shift) + 1] = (starts[(((hashes[k] as number) & mask) >>> shift) + 1] as number) + 1;
  for (let g = 1; g < starts.length; g++) starts[g] = (starts[g] as number) + (starts[g - 1] as number);
  const order = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    const group = ((hashes[k] as number) & mask) >>> shift;
    order[starts[group] as number] = k;
    starts[group] = (starts[group] as number) + 1;
  }
  const end = slots * SLOT_BYTES;
  for (let i = 0; i < count; i++) {
    const k = order[i] as number;
    const hash = hashes[k] as number;
    let at = (hash & mask) * SLOT_BYTES;
    while (view.getUint32(at, true) !== 0) at = at + SLOT_BYTES === end ? 0 : at + SLOT_BYTES;
    view.setUint32(at, hash, true);
    view.setUint32(at + 4, owners[k] as number, true);
  }
}

/** Turns the owner of every used slot into its line's offset: 6 bytes, little-endian, its low 32 bits then the 16 above. */
export function placeOffsets(table: Uint8Array, slots: number, offsets: Float64Array): void {
  const view = new DataView(table.buffer, table.byteOffset + HEADER_BYTES, slots * SLOT_BYTES);
  for (let at = 0; at < slots * SLOT_BYTES; at += SLOT_BYTES) {
    if (view.getUint32(at, true) === 0) continue;
    const offset = offsets[view.getUint32(at + 4, true)] as number;
    view.setUint32(at + 4, offset >>> 0, true);
    view.setUint16(at + 8, Math.floor(offset / 2 ** 32), true);
  }
}

/** The key hashes of a store's subscribers, in db.json's order (store-index.ts). */
export interface KeyHashes {
  readonly count: number;
  readonly hashes: Uint32Array;
  readonly owners: Uint32Array;
}

/** A table being made: `write` finishes it once the line offsets are known, and writes it with its header to `path`. */
export interface IndexTableBuild {
  readonly slots: number;
  write(path: string, header: string, offsets: readonly number[]): Promise<void>;
}

/** What the worker is sent to finish its table. */
export interface IndexFinish {
  readonly path: string;
  readonly header: string;
  readonly offsets: Float64Array;
}

/** The table finished and written (atomically, flushed): the header line, then the slots with their line offsets. */
export async function writeTable(table: Uint8Array, slots: number, finish: IndexFinish): Promise<void> {
  placeOffsets(table, slots, finish.offsets);
  Buffer.from(table.buffer, table.byteOffset, HEADER_BYTES).write(finish.header, 0, 'latin1');
  await writeFileAtomic(finish.path, Buffer.from(table.buffer, table.byteOffset, table.byteLength));
}

/** The worker's module, beside this one once built (dist/); from the TypeScript sources (tests) there is none to run. */
const WORKER_URL = new URL('./index-worker.js', import.meta.url);

/**
 * Starts placing `keys` (their arrays are handed over: the caller must not use them again). A big store's are placed
 * in a worker thread while the caller writes db.json; a small one's in this one, and so are they when no worker can
 * be started or it fails, from `again()` (the keys made afresh) when the caller can give them.
 */
export function startIndexTable(keys: KeyHashes, options: { readonly workerFrom?: number; readonly again?: () => KeyHashes } = {}): IndexTableBuild {
  const slots = slotCount(keys.count);
  if (keys.count < (options.workerFrom ?? WORKER_FROM) || import.meta.url.endsWith('.ts')) return inThread(keys, slots);
  let worker: Worker;
  try {
    worker = new Worker(WORKER_URL, { workerData: { ...keys, slots }, transferList: [keys.hashes.buffer as ArrayBuffer, keys.owners.buffer as ArrayBuffer] });
  } catch {
    // nothing was handed over: a worker that cannot start takes nothing with it
    return inThread(keys, slots);
  }
  // an abandoned table (db.json's write failed) must not keep canale running; finish holds it again while it waits
  worker.unref();
  const written = new Promise<void>((resolve, reject) => {
    // the table never comes back: 100 MB arriving here would make the collector go over a heap of a million records
    worker.once('message', (failure: WorkerFailure | null) => (failure === null ? resolve() : reject(errorOf(failure))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the index worker stopped (exit ${code}) before it made the table`)));
  });
  written.catch(() => undefined);
  return {
    slots,
    async write(path, header, offsets) {
      worker.ref();
      try {
        const finish: IndexFinish = { path, header, offsets: Float64Array.from(offsets) };
        worker.postMessage(finish, [finish.offsets.buffer as ArrayBuffer]);
        await written;
      } catch (error) {
        if (options.again === undefined) throw error;
        await inThread(options.again(), slots).write(path, header, offsets);
      } finally {
        await worker.terminate();
      }
    },
  };
}

/** An error as it crosses from the worker (a thread's message keeps an error's text, not its class or code). */
export interface WorkerFailure {
  readonly message: string;
  readonly code?: string;
  readonly exit?: CanaleError['exit'];
}

export function failureOf(error: unknown): WorkerFailure {
  if (isCanaleError(error)) return { message: error.message, code: error.code, exit: error.exit };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** The error again: a full disk is the same CanaleError as when this thread writes. */
function errorOf(failure: WorkerFailure): Error {
  return failure.code === undefined ? new Error(failure.message) : new CanaleError(failure.code, failure.message, { exit: failure.exit ?? 'failed' });
}

function inThread(keys: KeyHashes, slots: number): IndexTableBuild {
  return {
    slots,
    async write(path, header, offsets) {
      const table = new Uint8Array(HEADER_BYTES + slots * SLOT_BYTES);
      placeKeys(table, slots, keys.hashes, keys.owners, keys.count);
      await writeTable(table, slots, { path, header, offsets: Float64Array.from(offsets) });
    },
  };
}
