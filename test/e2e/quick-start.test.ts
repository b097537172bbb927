import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/cli.js';

const t = useTempHome();
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));

describe("the README's quick start", () => {
  it('imports the Excel fixture and sends to cantieri through the outbox, as the README says', async () => {
    const readme = await readFile(README, 'utf8');
    const line = /^canale import fixtures\/iscritti-excel\.csv --yes && canale send (.*)$/m.exec(readme);
    expect(line, 'the quick start line in README.md').not.toBeNull();
    const imported = await t.cli('import', join(FIXTURES, 'iscritti-excel.csv'), '--yes');
    expect(imported.code, imported.stderr).toBe(0);
    const args = [...(line?.[1] ?? '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
    const sent = await t.cli('send', ...args);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/Campaign cmp_\w+: completed/);
    expect(sent.stderr).toContain('messages go to the outbox');
    expect(await readdir(join(t.home, 'outbox', 'whatsapp'))).toHaveLength(3);
  });
});
