import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateOutput } from '../../src/adapters/fs/output-path.js';

let dir: string;
let home: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-out-'));
  home = join(dir, 'home');
  await mkdir(join(home, 'campaigns'), { recursive: true });
  await writeFile(join(home, 'db.json'), '{}\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('locateOutput', () => {
  it('sees through `..` and through a linked folder into the home', async () => {
    await mkdir(join(dir, 'exports'));
    await symlink(home, join(dir, 'link-to-home'));
    await symlink(join(home, 'campaigns'), join(dir, 'exports', 'deep'));
    expect(await locateOutput(join(home, 'db.json'), home)).toMatchObject({ insideHome: true, inHome: 'db.json', existing: 'file' });
    expect(await locateOutput(join(dir, 'link-to-home', 'db.json'), home)).toMatchObject({ insideHome: true, inHome: 'db.json' });
    // commands pass a resolved path, `..` taken as written, which is where the write lands; unresolved, the link is followed
    expect(await locateOutput(join(dir, 'exports', 'deep', 'cmp_x', '..', '..', 'config.json'), home)).toMatchObject({ insideHome: false });
    expect(await locateOutput(`${join(dir, 'exports', 'deep')}/../config.json`, home)).toMatchObject({ insideHome: true, inHome: 'config.json', existing: 'none' });
    expect(await locateOutput(join(dir, 'link-to-home', 'new', 'folder', 'x.csv'), home)).toMatchObject({ insideHome: true, inHome: join('new', 'folder', 'x.csv') });
    expect(await locateOutput(home, home)).toMatchObject({ insideHome: true, inHome: '' });
  });

  it('a file beside the home, a home of a similar name, or a link in place of the file is outside', async () => {
    await mkdir(`${home}-old`);
    await symlink(join(home, 'db.json'), join(dir, 'points-to-db.json'));
    expect(await locateOutput(join(dir, 'iscritti.csv'), home)).toMatchObject({ insideHome: false, existing: 'none' });
    expect(await locateOutput(join(`${home}-old`, 'db.json'), home)).toMatchObject({ insideHome: false });
    // the atomic write renames over the link itself: db.json behind it is never written
    expect(await locateOutput(join(dir, 'points-to-db.json'), home)).toMatchObject({ insideHome: false, existing: 'file' });
    expect(await locateOutput(join(dir, 'home'), join(dir, 'not-yet', 'home'))).toMatchObject({ insideHome: false, existing: 'folder' });
  });
});
