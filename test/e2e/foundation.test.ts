import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useTempHome } from '../support/cli.js';

const t = useTempHome();
const cli = t.cli;
const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('canale, end to end', () => {
  it('init → topics → add → list → forget', async () => {
    const init = await cli('init');
    expect(init.code).toBe(0);
    expect(init.stderr).toContain(`created the canale home at ${t.home}`);
    expect(await mode(t.home)).toBe(0o700);
    expect(await mode(join(t.home, 'db.json'))).toBe(0o600);
    expect(await mode(join(t.home, 'config.json'))).toBe(0o600);

    expect((await cli('topics', 'add', 'verde', '--label', 'Verde pubblico')).code).toBe(0);
    const topics = await cli('topics', 'list');
    expect(topics.stdout.split('\n')).toContain('verde\tVerde pubblico\t0\t');

    const add = await cli('subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'verde,cantieri', '--attr', 'municipio=I');
    expect(add.code).toBe(0);
    const id = add.stdout.trim();
    expect(id).toMatch(/^sub_[0-9a-z]{10}$/);
    expect((await cli('subscribers', 'add', '--email', 'luca@example.it', '--topics', 'scuola')).code).toBe(0);

    const list = await cli('subscribers', 'list', '--topic', 'verde');
    expect(list.stdout).toMatch(new RegExp(`^ID\tNAME\tPHONE\tEMAIL\tCHANNEL\tTOPICS\tSTATUS\tCONSENT\n${id}\tMaria Rossi\t\\+393331234567\t\twhatsapp\tverde,cantieri\tactive\t\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\n$`));
    expect((await cli('subscribers', 'count', '--where', 'municipio=i')).stdout).toBe('1\n');

    // init again never wipes data
    const again = await cli('init', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ created: [], topics: 8, subscribers: 2 });
    expect(await mode(join(t.home, 'db.json'))).toBe(0o600);

    expect((await cli('subscribers', 'forget', '+39 333 1234567')).code).toBe(2);
    const forget = await cli('subscribers', 'forget', '+39 333 1234567', '--yes');
    expect(forget.code).toBe(0);
    expect((await cli('subscribers', 'count')).stdout).toBe('1\n');
    expect((await cli('subscribers', 'show', id)).code).toBe(1);
  });

  it('exit codes: 0 done, 1 failed, 2 usage', async () => {
    expect((await cli('subscribers', 'list')).code).toBe(0);
    const failed = await cli('subscribers', 'add', '--phone', 'not a phone', '--topics', 'scuola');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/error: --phone "not a phone": not a valid phone number/);
    const usage = await cli('subscribres', 'list');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Did you mean subscribers\?/);
  });

  it('twenty `subscribers add` at the same moment leave twenty subscribers', async () => {
    await cli('init');
    const adds = Array.from({ length: 20 }, (_, i) =>
      cli('subscribers', 'add', '--phone', `333 000 ${String(1000 + i)}`, '--topics', 'cantieri', '--name', `Persona ${i}`),
    );
    const results = await Promise.all(adds);
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0));
    const listed = JSON.parse((await cli('subscribers', 'list', '--json')).stdout) as Array<{ phone: string }>;
    expect(listed).toHaveLength(20);
    expect(new Set(listed.map((s) => s.phone)).size).toBe(20);
  });

  it('a damaged db.json is reported with its path and line, and never overwritten', async () => {
    await cli('subscribers', 'add', '--phone', '3331234567', '--topics', 'scuola');
    // a change of the catalogue writes db.json whole: the subscriber, added to the change log, is in it now
    await cli('topics', 'add', 'verde', '--label', 'Verde pubblico');
    const db = join(t.home, 'db.json');
    const text = await readFile(db, 'utf8');
    const broken = text.replace('"status":"active"', '"status":"active",,');
    await writeFile(db, broken);
    const line = broken.split('\n').findIndex((l) => l.includes(',,')) + 1;
    for (const args of [['subscribers', 'list'], ['subscribers', 'add', '--phone', '3339999999', '--topics', 'scuola'], ['init']]) {
      const result = await cli(...args);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`error: ${db.replace(/[/.]/g, '\\$&')} is damaged: not valid JSON at line ${line}, column \\d+`));
      expect(result.stderr).toContain('canale will not overwrite it');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await readFile(db, 'utf8')).toBe(broken);

    await writeFile(db, text.replace('"+393331234567"', '"333"'));
    const invalid = await cli('subscribers', 'count');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/subscribers\[0\] \(sub_\w+\)\.phone: not an E\.164 phone number/);
  });

  it('a command before init creates the home itself and says so', async () => {
    const result = await cli('subscribers', 'count');
    expect(result).toMatchObject({ code: 0, stdout: '0\n' });
    expect(result.stderr).toContain(`created the canale home at ${t.home}`);
    expect(await mode(t.home)).toBe(0o700);
  });

  it('--no-color and NO_COLOR keep escape codes out; colour never reaches a pipe', async () => {
    const result = await runCli(['subscribers', 'add', '--phone', 'x', '--topics', 'scuola'], { home: t.home, cwd: t.dir, env: { NO_COLOR: '' } });
    expect(result.stderr).not.toContain('\u001b[');
  });
});
