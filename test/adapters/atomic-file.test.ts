import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/adapters/fs/atomic-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** About 14 MB in pieces of every size, with two- and three-byte characters: several write buffers' worth. */
function* pieces(): Generator<string> {
  for (let i = 0; i < 60_000; i++) yield `{"n":${i},"nome":"Niccolò ${'è€'.repeat(i % 50)}"},\n`;
  yield 'x'.repeat(5 << 20); // one piece larger than a buffer
  yield 'fine\n';
}

describe('writeFileAtomic', () => {
  it('gives the new file a later modification time than the file it replaces, even within one clock tick', async () => {
    const path = join(dir, 'db.json');
    await writeFileAtomic(path, 'uno');
    const first = (await stat(path, { bigint: true })).mtimeNs;
    // as if the file system's clock had not moved since (one tick is a few ms): the next write must still differ
    const ahead = first + 5_000_000_000n;
    await utimes(path, Number(ahead) / 1e9, Number(ahead) / 1e9);
    await writeFileAtomic(path, 'due');
    const second = (await stat(path, { bigint: true })).mtimeNs;
    expect(second > ahead).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('due');
  });

  it('writes exactly the pieces given, over several buffers, mode 0600, no temporary file left', async () => {
    const path = join(dir, 'db.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, pieces());
    const expected = [...pieces()].join('');
    expect(Buffer.byteLength(expected)).toBeGreaterThan(12 << 20);
    expect(await readFile(path, 'utf8')).toBe(expected);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['db.json']);
  });

  it('leaves the old file and no temporary one when the pieces fail half-way', async () => {
    const path = join(dir, 'db.json');
    await writeFile(path, 'old');
    function* failing(): Generator<string> {
      let written = 0;
      for (const piece of pieces()) {
        yield piece;
        written += piece.length;
        if (written > 9 << 20) throw new Error('serialising failed');
      }
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('serialising failed');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['db.json']);
  });
});
