import { basename, join, resolve } from 'node:path';
import { locateOutput } from '../adapters/fs/output-path.js';
import { CanaleError, usageError } from '../core/errors.js';
import type { Context } from './context.js';

/** canale's own files in the home, by what replacing them would lose. */
const OWN_FILES: Readonly<Record<string, string>> = {
  'db.json': 'the subscriber store',
  'config.json': 'the settings and their secrets',
  'schedules.json': 'the schedules',
  'schedule.env': "the schedules' credentials",
};

/**
 * Checks a file someone named with `flag` (`--out`, `--errors`, `--html`) before any work: the absolute path to write.
 * Never inside the home, where it could replace canale's own files (db.json, config.json…) and where a copy of a
 * citizen's data would escape `subscribers forget` (DESIGN §5): usage error (exit 2) saying where to write instead.
 * A file already there is replaced only with `--force`, `--yes`, or a yes at a prompt on a terminal.
 */
export async function checkOutputFile(ctx: Context, file: string, flag: string, force: boolean): Promise<string> {
  const path = resolve(ctx.deps.cwd, file);
  const target = await locateOutput(path, ctx.paths.home);
  if (target.insideHome) {
    const own = target.inHome === undefined ? undefined : OWN_FILES[target.inHome];
    const what = own === undefined ? `inside the canale home (${ctx.paths.home})` : `canale's own ${target.inHome}, ${own}`;
    const name = target.inHome === '' || basename(path) === '' ? 'copia.csv' : basename(path);
    throw usageError(
      'OUTPUT_IN_HOME',
      `${flag} ${file}: ${path} is ${what} — canale writes nothing you name into its home, so its own files stay whole and forget reaches every copy of a citizen's data; write it outside the home, e.g. ${flag.startsWith('--') ? `${flag} ` : ''}~/${name}`,
    );
  }
  if (target.existing === 'folder') throw usageError('OUTPUT_IS_FOLDER', `${flag} ${file}: ${path} is a folder — name a file, not a folder (e.g. ${join(file, 'copia.csv')})`);
  if (target.existing === 'none' || force || ctx.yes) return path;
  if (!ctx.ui.isInteractive) throw usageError('OUTPUT_EXISTS', `${flag} ${file}: ${path} exists — add --force to replace it, or name another file`);
  if (!(await ctx.deps.prompter.confirm(`${file} exists. Replace it?`, false))) throw new CanaleError('CANCELLED', `kept the existing ${file} — nothing was done`);
  return path;
}
