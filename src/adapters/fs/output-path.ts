import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';

/** What is at a path someone asked canale to write, seen through symbolic links. */
export interface OutputTarget {
  /** Where the file really lands: its folder with every symbolic link and `..` resolved, and its name. */
  readonly real: string;
  /** Whether that is the home or inside it. */
  readonly insideHome: boolean;
  /** The path from the home to it, when inside (`db.json`, `campaigns/cmp_x/journal.jsonl`). */
  readonly inHome?: string;
  /** What is there now: nothing, a file (or a link, which the write replaces), or a folder. */
  readonly existing: 'none' | 'file' | 'folder';
}

/** The real path of `path`, also when its end does not exist yet: the nearest existing folder resolved, the rest appended. */
async function realPathOf(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw error;
      missing.push(basename(current));
      current = parent;
    }
  }
}

async function existingAt(path: string): Promise<OutputTarget['existing']> {
  try {
    return (await lstat(path)).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'none';
    throw error;
  }
}

/**
 * Looks at an absolute output path before anything is written there. The file's own name is not followed: the
 * atomic write renames over it, so a link there is replaced, never written through; its folder is, since the
 * file lands in the folder the link points to.
 */
export async function locateOutput(path: string, home: string): Promise<OutputTarget> {
  const real = join(await realPathOf(dirname(path)), basename(path));
  const realHome = await realPathOf(home);
  const insideHome = real === realHome || real.startsWith(realHome.endsWith(sep) ? realHome : `${realHome}${sep}`);
  return { real, insideHome, ...(insideHome ? { inHome: relative(realHome, real) } : {}), existing: await existingAt(path) };
}
