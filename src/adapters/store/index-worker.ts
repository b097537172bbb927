import { parentPort, workerData } from 'node:worker_threads';
import { failureOf, HEADER_BYTES, placeKeys, SLOT_BYTES, writeTable, type IndexFinish } from './index-table.js';

// The worker of startIndexTable (index-table.ts): places the keys it is given while the store's writer goes on, then
// finishes the table with the line offsets it is sent and writes it; it answers null, or the error it met (failureOf).
const { hashes, owners, count, slots } = workerData as { hashes: Uint32Array; owners: Uint32Array; count: number; slots: number };
const table = new Uint8Array(HEADER_BYTES + slots * SLOT_BYTES);
placeKeys(table, slots, hashes, owners, count);
parentPort?.once('message', (finish: IndexFinish) => {
  writeTable(table, slots, finish).then(
    () => parentPort?.postMessage(null),
    (error: unknown) => parentPort?.postMessage(failureOf(error)),
  );
});
