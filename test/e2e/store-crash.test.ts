import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, useTempHome } from '../support/cli.js';

const t = useTempHome();
const COUNT = 200_000;

/** db.json of COUNT subscribers in canale's layout (one record per line), as bench/generate-store.mjs writes it. */
async function generateStore(path: string): Promise<void> {
  const out = createWriteStream(path, { mode: 0o600 });
  const topics = ['scuola', 'cantieri', 'eventi'].map((id) => JSON.stringify({ id, label: id }));
  out.write(`{"version":1,\n"topics":[\n${topics.join(',\n')}\n],\n"subscribers":[`);
  let chunk = '';
  for (let i = 0; i < COUNT; i++) {
    const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    const record = { id: `sub_${i.toString(32).padStart(10, '0')}`, name: `Maria Rossi ${i}`, phone: `+393${String(300000000 + i).padStart(9, '0')}`, topics: ['cantieri'], channel: 'whatsapp', status: 'active', attributes: { municipio: 'I' }, consent: { source: 'import:iscritti.csv', at }, createdAt: at, updatedAt: at };
    chunk += `${i === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(`${chunk}\n]}\n`);
  await once(out, 'finish');
}

const temporaryCopies = async (home: string) => (await readdir(home)).filter((name) => /^\.db\.json\.[0-9a-f]{12}\.tmp$/.test(name));

describe('a store write killed with SIGKILL', () => {
  it('does not block the next write: its lock is taken over at once and its temporary copy removed', async () => {
    expect((await t.cli('init')).code).toBe(0);
    await generateStore(join(t.home, 'db.json'));

    const killed = startCli(['subscribers', 'add', '--phone', '+39 320 000 0001', '--topics', 'cantieri'], { home: t.home, cwd: t.dir });
    // ready when the new store is being written: the temporary copy beside db.json exists
    while ((await temporaryCopies(t.home)).length === 0) {
      if (killed.child.exitCode !== null) throw new Error(`the write ended before it could be killed: ${killed.stderr()}`);
      await sleep(2);
    }
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    expect(await temporaryCopies(t.home)).toHaveLength(1);
    expect(await readdir(join(t.home, 'db.json.lock'))).toEqual(['holder.json']);

    const started = performance.now();
    const next = await runCli(['subscribers', 'add', '--phone', '+39 320 000 0002', '--topics', 'cantieri'], { home: t.home, cwd: t.dir });
    const elapsed = performance.now() - started;
    expect(next.code, next.stderr).toBe(0);
    // the dead holder's lock used to be waited for 20 s (then exit 4): now it is taken over without waiting
    expect(elapsed).toBeLessThan(10_000);
    expect(await temporaryCopies(t.home)).toEqual([]);
    expect((await readdir(t.home)).filter((name) => name.includes('lock'))).toEqual([]);
    const db = await readFile(join(t.home, 'db.json'), 'utf8');
    expect(db).toContain('"phone":"+393200000002"');
    expect(db).not.toContain('"phone":"+393200000001"');
  });

  it('many writes at once after a dead holder: one takes the lock over, none waits it out, none is lost', async () => {
    expect((await t.cli('init')).code).toBe(0);
    // a pid that surely belonged to a process of this machine that is gone
    const gone = spawn(process.execPath, ['-e', '']);
    const [code] = (await once(gone, 'exit')) as [number];
    expect(code).toBe(0);
    await mkdir(join(t.home, 'db.json.lock'), { mode: 0o700 });
    await writeFile(join(t.home, 'db.json.lock', 'holder.json'), `${JSON.stringify({ pid: gone.pid, host: hostname(), nonce: 'dead' })}\n`);
    const adds = await Promise.all(Array.from({ length: 8 }, (_, i) => t.cli('subscribers', 'add', '--phone', `333 000 ${2000 + i}`, '--topics', 'cantieri')));
    expect(adds.map((a) => a.code)).toEqual(Array(8).fill(0));
    expect((await t.cli('subscribers', 'count')).stdout).toBe('8\n');
    expect((await readdir(t.home)).filter((name) => name.includes('lock'))).toEqual([]);
  });
});
