import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/commands/context.js';
import { parseSignupLink, runSignupLink } from '../../src/commands/signup/link.js';
import { parseSignupQr, runSignupQr } from '../../src/commands/signup/qr.js';
import { fakeDeps, FakeOutput } from '../support/fake-deps.js';
import { contextFor, newHome } from '../support/home.js';
import { decodeQrBlocks } from '../support/qr-decode.js';

const NUMBER = { CANALE_WHATSAPP_NUMBER: '+39 06 1234 5678' };
const homes: string[] = [];
afterEach(async () => {
  await Promise.all(homes.splice(0).map((home) => rm(dirname(home), { recursive: true, force: true })));
});

async function home(): Promise<string> {
  const made = await newHome();
  homes.push(made);
  return made;
}

describe('parseSignupQr', () => {
  it.each([
    ['poster.svg', { kind: 'file', file: 'poster.svg', format: 'svg' }],
    ['Manifesto.PNG', { kind: 'file', file: 'Manifesto.PNG', format: 'png' }],
    ['-', { kind: 'stdout' }],
  ])('--out %s', (out, expected) => {
    expect(parseSignupQr({ out, topic: 'cantieri' })).toEqual({ topic: 'cantieri', out: expected, force: false });
  });

  it.each(['poster.jpg', 'poster', 'poster.svg.txt'])('refuses --out %s naming the flag and the formats', (out) => {
    expect(() => parseSignupQr({ out })).toThrow(expect.objectContaining({ code: 'POSTER_FORMAT_INVALID', exit: 'usage', message: expect.stringMatching(new RegExp(`^--out ${out}: .*SVG or PNG`)) }));
  });

  it('needs --out', () => {
    expect(() => parseSignupQr({})).toThrow(expect.objectContaining({ code: 'POSTER_OUT_MISSING', exit: 'usage' }));
  });
});

describe('signup link', () => {
  it('prints the link alone on stdout, what it does on stderr', async () => {
    const { ctx, stdout, stderr } = contextFor(await home(), { env: NUMBER });
    await runSignupLink(parseSignupLink({ topic: 'Cantieri' }), ctx);
    expect(stdout.text).toBe('https://wa.me/390612345678?text=ISCRIVI%20cantieri\n');
    expect(stderr.text).toContain('opens WhatsApp with "ISCRIVI cantieri" ready to send to +39 06 1234 5678');
  });

  it('prints JSON with --json; without a topic there is none in it', async () => {
    const { ctx, stdout } = contextFor(await home(), { env: NUMBER });
    await runSignupLink(parseSignupLink({ json: true }), ctx);
    expect(JSON.parse(stdout.text)).toEqual({ url: 'https://wa.me/390612345678?text=ISCRIVI', text: 'ISCRIVI', number: '+390612345678' });
  });

  it('without whatsapp.number says how to set it', async () => {
    const { ctx } = contextFor(await home());
    await expect(runSignupLink(parseSignupLink({}), ctx)).rejects.toMatchObject({
      code: 'WHATSAPP_NUMBER_MISSING',
      message: expect.stringContaining('canale config set whatsapp.number "+39 06 1234 5678" (or the environment variable CANALE_WHATSAPP_NUMBER)'),
    });
  });
});

describe('signup qr', () => {
  it('writes the SVG file, and in a pipe draws nothing and prints no data', async () => {
    const made = await home();
    const { ctx, stdout, stderr } = contextFor(made, { env: NUMBER });
    const file = join(dirname(made), 'poster.svg');
    await runSignupQr(parseSignupQr({ out: file, topic: 'scuola' }), ctx);
    const svg = await readFile(file, 'utf8');
    expect(svg).toContain('>Scuola</text>');
    expect(svg).toContain('>oppure scrivi «ISCRIVI scuola» su WhatsApp</text>');
    expect(stdout.text).toBe('');
    expect(stderr.text).toContain(`wrote the poster to ${file}: its QR code opens https://wa.me/390612345678?text=ISCRIVI%20scuola`);
    expect(stderr.text).toContain('city.name is not set: the poster says "Comune"');
    expect(stderr.text).not.toContain('█');
  });

  it('with --out - writes only the SVG to stdout; the drawing for the person at the terminal goes to stderr', async () => {
    const made = await home();
    const base = fakeDeps({ home: made, env: NUMBER });
    const stdout = new FakeOutput(false);
    const stderr = new FakeOutput(true);
    const ctx = new Context({ ...base.deps, io: { stdout, stderr, stdinIsTTY: true } }, { home: made, color: false });
    await runSignupQr(parseSignupQr({ out: '-' }), ctx);
    expect(stdout.text).toMatch(/^<\?xml [^]*<\/svg>\n$/);
    expect(stdout.text).toContain('>Iscriviti al canale</text>');
    expect(decodeQrBlocks(stderr.text.split('\n').filter((l) => /^[ █▀▄]+$/.test(l)).join('\n'))).toBe('https://wa.me/390612345678?text=ISCRIVI');
  });

  it('on a terminal with colour, draws the code dark on white, still readable', async () => {
    const made = await home();
    const { ctx, stderr } = contextFor(made, { env: NUMBER, tty: true });
    await runSignupQr(parseSignupQr({ out: join(dirname(made), 'poster.svg') }), ctx);
    const painted = stderr.text.split('\n').filter((l) => l.includes('\u001b[30m\u001b[107m'));
    expect(painted.length).toBeGreaterThan(10);
    // eslint-disable-next-line no-control-regex
    expect(decodeQrBlocks(painted.map((l) => l.replace(/\u001b\[\d+m/g, '')).join('\n'))).toBe('https://wa.me/390612345678?text=ISCRIVI');
  });

  it('keeps to the output rules: an existing file only with --force, nothing in the home', async () => {
    const made = await home();
    const file = join(dirname(made), 'poster.png');
    await writeFile(file, 'mine');
    const { ctx } = contextFor(made, { env: NUMBER });
    await expect(runSignupQr(parseSignupQr({ out: file }), ctx)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await readFile(file, 'utf8')).toBe('mine');
    await expect(runSignupQr(parseSignupQr({ out: join(made, 'poster.png') }), ctx)).rejects.toMatchObject({ code: 'OUTPUT_IN_HOME' });
    await runSignupQr(parseSignupQr({ out: file, force: true }), ctx);
    expect((await readFile(file)).subarray(1, 4).toString()).toBe('PNG');
  });

  it('refuses an unknown topic before writing anything', async () => {
    const made = await home();
    const { ctx } = contextFor(made, { env: NUMBER });
    const file = join(dirname(made), 'poster.svg');
    await expect(runSignupQr(parseSignupQr({ out: file, topic: 'scuole' }), ctx)).rejects.toMatchObject({ code: 'TOPIC_UNKNOWN', message: expect.stringContaining('"scuole" (did you mean "scuola"?)') });
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
