import { StoreFile } from '../../src/adapters/store/store-file.js';
import { writeIndexedStore } from '../../src/adapters/store/json-subscriber-store.js';
import { emptyStore, type StoreData } from '../../src/core/store-data.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Context } from '../../src/commands/context.js';
import { fakeDeps, type FakeDeps, type FakeDepsOptions } from './fake-deps.js';

/** A fresh home per test under the system's temporary folder, removed afterwards. */
export function useTempHome(): () => string {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (dir === undefined) throw new Error('call await newHome() first');
    return join(dir, 'home');
  };
}

export async function newHome(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'canale-cmd-'));
  return join(dir, 'home');
}

/** Fake deps and a Context on `home`, as `main` would build them from global flags. */
export function contextFor(home: string, options: FakeDepsOptions & { yes?: boolean; quiet?: boolean; color?: boolean } = {}): FakeDeps & { ctx: Context } {
  const fake = fakeDeps({ ...options, home });
  const ctx = new Context(fake.deps, { home, yes: options.yes ?? false, quiet: options.quiet ?? false, color: options.color ?? true });
  return { ...fake, ctx };
}

/**
 * The whole store of a test's home as a value, for setting a test up (or looking at it) in one go: read whole, and
 * written whole with its index — what commands do through the SubscriberStore port, without the port's operations.
 */
export function storeOf(ctx: Context): { read(): Promise<StoreData>; topics(): Promise<StoreData['topics']>; update<T>(change: (data: StoreData) => T): Promise<T> } {
  const read = async (): Promise<StoreData> => (await new StoreFile(ctx.paths.db).read()) ?? emptyStore();
  return {
    read,
    topics: async () => (await read()).topics,
    async update(change) {
      await ctx.prepareHome();
      const data = await read();
      const result = change(data);
      await writeIndexedStore(ctx.paths.db, data);
      return result;
    },
  };
}
