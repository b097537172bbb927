import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's Chromium, which `.ci/run` installs for the tests that look at pages people read. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium as the machine's probe starts it: no sandbox (root), no GPU, no background traffic (this
 * machine's closed network refuses it), a fresh profile under `dir`. Resolves with what it printed on stdout.
 */
export async function chromium(dir: string, ...args: string[]): Promise<string> {
  const profile = await mkdtemp(join(dir, 'chromium-'));
  const { stdout } = await run(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, ...args],
    { timeout: 60_000, maxBuffer: 10 * 1024 * 1024 },
  );
  return stdout;
}
