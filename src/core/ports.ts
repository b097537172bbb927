import type { StoreData } from './store-data.js';

/** Time, asked for rather than read from the air, so tests can use a fake clock. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** New identifiers, asked for so tests get predictable ones. */
export interface IdSource {
  /** A new, unique, URL-safe id that starts with `prefix` (for example `sub_`). */
  next(prefix: string): string;
}

/**
 * The subscriber store. Implementations guarantee:
 * - `read()` returns a complete, validated snapshot, never a half-written one;
 * - `update()` runs `change` on fresh data while holding an exclusive lock across processes, then writes the
 *   result atomically; if `change` throws, nothing is written and the error is rethrown;
 * - a damaged file is reported (CanaleError `STORE_DAMAGED`) and never overwritten.
 */
export interface Store {
  read(): Promise<StoreData>;
  update<T>(change: (data: StoreData) => T): Promise<T>;
}
