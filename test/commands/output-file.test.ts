import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSubscriberExport, runSubscriberExport } from '../../src/commands/subscribers/export.js';
import { contextFor, newHome } from '../support/home.js';

const homes: string[] = [];
afterEach(async () => {
  await Promise.all(homes.splice(0).map((home) => rm(dirname(home), { recursive: true, force: true })));
});

describe('an output file that exists', () => {
  it('on a terminal is replaced after a yes, and kept after a no with nothing done', async () => {
    const home = await newHome();
    homes.push(home);
    const file = join(dirname(home), 'iscritti.csv');
    await writeFile(file, 'mine\n');

    const no = contextFor(home, { tty: true, answers: [false] });
    await expect(runSubscriberExport(parseSubscriberExport({ out: file }), no.ctx)).rejects.toMatchObject({ code: 'CANCELLED', message: `kept the existing ${file} — nothing was done` });
    expect(no.asked).toEqual([`${file} exists. Replace it?`]);
    expect(await readFile(file, 'utf8')).toBe('mine\n');

    const yes = contextFor(home, { tty: true, answers: [true] });
    await runSubscriberExport(parseSubscriberExport({ out: file }), yes.ctx);
    expect(await readFile(file, 'utf8')).toMatch(/^id,/);
  });

  it('with --force or --yes is replaced without a question; a folder is refused', async () => {
    const home = await newHome();
    homes.push(home);
    const file = join(dirname(home), 'iscritti.csv');
    await writeFile(file, 'mine\n');
    const forced = contextFor(home, { tty: true });
    await runSubscriberExport(parseSubscriberExport({ out: file, force: true }), forced.ctx);
    expect(forced.asked).toEqual([]);
    await writeFile(file, 'mine\n');
    await runSubscriberExport(parseSubscriberExport({ out: file }), contextFor(home, { yes: true }).ctx);
    expect(await readFile(file, 'utf8')).toMatch(/^id,/);
    await expect(runSubscriberExport(parseSubscriberExport({ out: dirname(home) }), contextFor(home).ctx)).rejects.toMatchObject({ code: 'OUTPUT_IS_FOLDER', exit: 'usage' });
  });
});
