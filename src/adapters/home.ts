import { chmod, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { emptyStore } from '../core/store-data.js';
import { PRIVATE_DIR_MODE, writeFileAtomic } from './fs/atomic-file.js';
import { emptyConfigFile, serializeConfigFile } from './config-file.js';
import { serializeStore } from './store/store-file.js';

/** The files of a home, by role. */
export interface HomePaths {
  readonly home: string;
  readonly config: string;
  readonly db: string;
}

export function homePaths(home: string): HomePaths {
  return { home, config: join(home, 'config.json'), db: join(home, 'db.json') };
}

/** `--home`, else `$CANALE_HOME`, else `$XDG_DATA_HOME/canale`, else `~/.local/share/canale` (DESIGN §3). */
export function resolveHome(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const chosen = flag ?? nonEmpty(env.CANALE_HOME);
  if (chosen !== undefined) return resolve(cwd, chosen);
  const xdg = nonEmpty(env.XDG_DATA_HOME);
  if (xdg !== undefined) return resolve(cwd, xdg, 'canale');
  return resolve(env.HOME ?? cwd, '.local', 'share', 'canale');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Makes sure the home exists (0700) with config.json and db.json (0600, db.json holding the default topic
 * catalogue); `store: false` leaves db.json out (the subscribers are in a database). Creates only what is missing and
 * never touches an existing file. Returns what it created.
 */
export async function ensureHome(paths: HomePaths, options: { readonly store?: boolean } = {}): Promise<string[]> {
  const created: string[] = [];
  if (!(await exists(paths.home))) {
    await mkdir(paths.home, { recursive: true, mode: PRIVATE_DIR_MODE });
    await chmod(paths.home, PRIVATE_DIR_MODE);
    created.push(paths.home);
  }
  if (!(await exists(paths.config))) {
    await writeFileAtomic(paths.config, serializeConfigFile(emptyConfigFile()));
    created.push(paths.config);
  }
  if (options.store !== false && !(await exists(paths.db))) {
    await writeFileAtomic(paths.db, serializeStore(emptyStore()));
    created.push(paths.db);
  }
  return created;
}
