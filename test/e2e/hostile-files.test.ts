import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli, useTempHome } from '../support/cli.js';

const t = useTempHome();
const cli = t.cli;

/** A header of `columns` columns (a phone column first, then c1, c2…) and one row: 50,000 of them are 439 KB. */
function wideCsv(columns: number): string {
  const header = ['telefono', ...Array.from({ length: columns - 1 }, (_, i) => `c${i + 1}`)];
  const row = ['+39 347 1234567', ...Array.from({ length: columns - 1 }, () => 'x')];
  return `${header.join(',')}\n${row.join(',')}\n`;
}

const message = (front: string, body: string): string => `---\ntopics: [cantieri]\nsubject: Lavori\n${front}---\n${body}\n`;

/** A "billion laughs": nine levels of aliases, each nine times the one before (387 million strings once expanded). */
const ALIAS_BOMB = [
  'x0: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((name, i) => {
    const previous = 'abcdefghi'[i] as string;
    return `x${i + 1}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`;
  }),
].join('\n');

describe('hostile files are refused fast, with file:line and exit 1', () => {
  it('refuses a 50,000-column CSV (439 KB) at its header within a second of opening it, and imports nothing', async () => {
    const path = join(t.dir, 'largo.csv');
    await writeFile(path, wideCsv(50_000));
    expect((await readFile(path)).length).toBeLessThan(440_000);
    const run = startCli(['import', path, '--yes'], { home: t.home, cwd: t.dir });
    // from the line canale prints once the file is open (Node's own start is not what is measured) to the exit
    const opened = await new Promise<number>((resolve) => {
      run.child.stderr?.on('data', () => {
        if (run.stderr().includes('reading largo.csv')) resolve(performance.now());
      });
    });
    const result = await run.done;
    expect(performance.now() - opened).toBeLessThan(1000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ${path}:1: the header has 50000 columns, more than any real export (canale reads at most 1000) — is this the right file?`);
    expect((await cli('subscribers', 'count')).stdout).toBe('0\n');
  });

  it('still imports a file of 1,000 columns (the attributes named after their headers)', async () => {
    const path = join(t.dir, 'mille.csv');
    await writeFile(path, wideCsv(1000));
    const result = await cli('import', path, '--yes', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ inserted: 1 });
    const [subscriber] = JSON.parse((await cli('subscribers', 'list', '--json')).stdout) as Array<{ attributes: Record<string, string> }>;
    expect(Object.keys(subscriber?.attributes ?? {})).toHaveLength(999);
  });

  it('refuses a CSV with a 10 MB cell, naming the line, without echoing the cell', async () => {
    const path = join(t.dir, 'cella.csv');
    await writeFile(path, `nome,telefono\nAnna,+39 347 1234567\nBruno,${'3'.repeat(10 << 20)}\n`);
    const result = await cli('import', path, '--yes', '--json');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: ${path}:3: cell 2 holds 10485760 characters, more than a spreadsheet cell can (canale reads at most 50000)`);
    expect(result.stderr.length).toBeLessThan(1000);
  });

  it('cuts a long invalid value in the JSON errors to 80 characters and its length', async () => {
    const path = join(t.dir, 'lungo.csv');
    await writeFile(path, `nome,telefono\nAnna,${'3'.repeat(40_000)}\n`);
    const result = await cli('import', path, '--dry-run', '--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { errors: Array<{ line: number; column: string; value: string }> };
    expect(report.errors).toEqual([expect.objectContaining({ line: 2, column: 'telefono', value: `${'3'.repeat(80)}…(40000 characters)` })]);
  });

  it.each([
    ['a YAML alias bomb in the front matter', () => message(`${ALIAS_BOMB}\n`, 'Ciao'), /^error: \S+bomba\.md:5: the front matter's YAML aliases \(\*name\) expand into too many values — a message file needs no aliases: write the values out\n$/],
    ['a 10 MB body', () => message('', 'Lavori in via Roma. '.repeat(550_000)), /^error: \S+bomba\.md:5: the body is 10999999 characters, more than a message can be \(canale reads at most 1000000; a WhatsApp text holds 4,096\) — is this the right file\?\n$/],
    // under the length limit, but the Markdown reader would take minutes over its italics
    ['900 KB of italic markers in one paragraph', () => message('', '_a '.repeat(300_000)), /^error: \S+bomba\.md:5: this paragraph has 300000 \* and _ markers, more than canale reads in one \(at most 500\) — is this the right file\? Bold and italic are for a few words\n$/],
    ['Markdown nested 5,000 quotes deep', () => message('', `${'>'.repeat(5000)} x`), /^error: bomba\.md: body: the Markdown nests too deeply to be read .* — write it flatter\n$/],
  ])('refuses a message file with %s (exit 1, file:line, no stack trace)', async (_what, content, expected) => {
    await cli('init');
    await writeFile(join(t.dir, 'bomba.md'), content());
    const result = await cli('preview', 'bomba.md');
    expect(result.stderr).toMatch(expected);
    expect(result.code).toBe(1);
  });
});
