import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/cli.js';

const t = useTempHome();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** The shell lines of the README's quick start block, comments removed, as a person would paste them. */
async function quickStartLines(): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line !== '');
}

describe("the README's install line, on a fresh clone", () => {
  it('installs canale with --prefix, which then runs the quick start as typed', async () => {
    const [install, quickStart, ...rest] = await quickStartLines();
    expect(install).toMatch(/^npm /);
    expect(quickStart).toMatch(/^canale import /);
    expect(rest).toEqual([]);

    const clone = join(t.dir, 'clone');
    const prefix = join(t.dir, 'prefix');
    const home = join(t.dir, 'user');
    await mkdir(home);
    await run('git', ['clone', '--quiet', ROOT, clone]);
    // the npm cache (filled by the CI's own `npm ci`) is the only source: no network in tests
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? home, npm_config_offline: 'true', npm_config_prefix: prefix, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    await run('sh', ['-c', install as string], { cwd: clone, env, maxBuffer: 16 << 20 });

    const user = { PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`, HOME: home, NO_COLOR: '1' };
    const version = await run('canale', ['--version'], { cwd: clone, env: user });
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);

    const started = await run('sh', ['-c', quickStart as string], { cwd: clone, env: user });
    expect(started.stdout).toMatch(/Campaign cmp_\w+: completed/);
    expect(started.stderr).toContain('messages go to the outbox');
    expect(await readdir(join(home, '.local', 'share', 'canale', 'outbox', 'whatsapp'))).toHaveLength(3);
  }, 240_000);
});
