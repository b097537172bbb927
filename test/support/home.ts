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
