import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useTempHome } from '../support/cli.js';

const t = useTempHome();
const cli = t.cli;
const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

describe('subscribers export --excel, end to end', () => {
  it('writes ";", a UTF-8 byte-order mark and CRLF, and imports back into an empty home as the same subscribers', async () => {
    expect((await cli('import', fixture('iscritti-excel.csv'), '--yes')).code).toBe(0);
    expect((await cli('subscribers', 'update', '333 123 4567', '--attr', 'nota=dice "sì"; grazie')).code).toBe(0);
    const exported = await cli('subscribers', 'export', '--excel', '--out', 'iscritti-excel.csv');
    expect(exported.code).toBe(0);
    const bytes = await readFile(join(t.dir, 'iscritti-excel.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.startsWith('id;name;phone;whatsapp_user_id;email;channel;topics;status;')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(12);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).toContain('"dice ""sì""; grazie"');
    expect(text).toContain(';Niccolò Bianchi;');

    const other = join(t.dir, 'altra-casa');
    const imported = await runCli(['import', join(t.dir, 'iscritti-excel.csv'), '--yes', '--json'], { home: other, cwd: t.dir });
    expect(imported.stderr).toContain('UTF-8 with BOM, delimiter ";"');
    expect(JSON.parse(imported.stdout)).toMatchObject({ read: 10, inserted: 10, rejected: 0 });
    const list = async (home: string) => JSON.parse((await runCli(['subscribers', 'list', '--json'], { home, cwd: t.dir })).stdout) as Array<Record<string, unknown>>;
    const strip = (all: Array<Record<string, unknown>>) => all.map(({ history: _h, ...rest }) => rest);
    expect(strip(await list(other))).toEqual(strip(await list(t.home)));
  });

  it('refuses --excel with --format json', async () => {
    const result = await cli('subscribers', 'export', '--excel', '--format', 'json');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--excel writes CSV');
  });
});

describe('a landline given for WhatsApp, end to end', () => {
  it('add and update warn on stderr (a Rome landline), and do not for a mobile, or for e-mail', async () => {
    const landline = await cli('subscribers', 'add', '--phone', '06 1234 5678', '--name', 'Ufficio', '--topics', 'cantieri');
    expect(landline.code).toBe(0);
    expect(landline.stderr).toContain('+390612345678 is a landline (fixed-line) number: WhatsApp cannot reach it');
    expect(landline.stdout).not.toContain('landline');

    const mobile = await cli('subscribers', 'add', '--phone', '333 123 4567', '--topics', 'cantieri');
    expect(mobile.code).toBe(0);
    expect(mobile.stderr).not.toContain('landline');

    const byEmail = await cli('subscribers', 'add', '--phone', '02 1234 5678', '--email', 'a@example.it', '--channel', 'email', '--topics', 'cantieri');
    expect(byEmail.stderr).not.toContain('landline');

    const updated = await cli('subscribers', 'update', '333 123 4567', '--phone', '06 8765 4321');
    expect(updated.code).toBe(0);
    expect(updated.stderr).toContain('+390687654321 is a landline (fixed-line) number');
    const fixedBack = await cli('subscribers', 'update', '06 8765 4321', '--phone', '347 000 1111');
    expect(fixedBack.stderr).not.toContain('landline');
  });
});
