import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/cli.js';
import { decodeQrPng } from '../support/qr-decode.js';

const t = useTempHome();

async function cityWithNumber(): Promise<void> {
  expect((await t.cli('config', 'set', 'whatsapp.number', '+39 06 1234 5678')).code).toBe(0);
  expect((await t.cli('config', 'set', 'city.name', 'Comune di Bologna')).code).toBe(0);
}

describe('canale signup, end to end', () => {
  it('link --topic cantieri --json: the click-to-chat link with the topic id', async () => {
    await cityWithNumber();
    const run = await t.cli('signup', 'link', '--topic', 'cantieri', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ url: 'https://wa.me/390612345678?text=ISCRIVI%20cantieri', text: 'ISCRIVI cantieri', topic: 'cantieri', number: '+390612345678' });
    const plain = await t.cli('signup', 'link');
    expect(plain.stdout).toBe('https://wa.me/390612345678?text=ISCRIVI\n');
  });

  it('qr --out poster.png: a PNG whose QR code reads back as the link; --out - the SVG on stdout', async () => {
    await cityWithNumber();
    const run = await t.cli('signup', 'qr', '--topic', 'Raccolta differenziata', '--out', 'manifesto.png');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(decodeQrPng(await readFile(join(t.dir, 'manifesto.png')))).toBe('https://wa.me/390612345678?text=ISCRIVI%20raccolta-differenziata');
    const svg = await t.cli('signup', 'qr', '--out', '-');
    expect(svg.code, svg.stderr).toBe(0);
    expect(svg.stdout).toMatch(/^<\?xml /);
    expect(svg.stdout).toContain('>Comune di Bologna</text>');
    expect(svg.stdout).toContain('>Iscriviti al canale</text>');
  });

  it('refuses an unknown topic, another format, and a missing number, saying what to do', async () => {
    const missing = await t.cli('signup', 'link');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('whatsapp.number is not set');
    expect(missing.stderr).toContain('canale config set whatsapp.number');
    await cityWithNumber();
    const unknown = await t.cli('signup', 'qr', '--topic', 'cantiere', '--out', 'x.svg');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown topic "cantiere" (did you mean "cantieri"?)');
    const jpeg = await t.cli('signup', 'qr', '--out', 'x.jpg');
    expect(jpeg.code).toBe(2);
    expect(jpeg.stderr).toContain('--out x.jpg: the poster is written as SVG or PNG');
  });
});
