import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { posterPng } from '../../../src/adapters/poster/poster-png.js';
import { qrForTerminal, qrMatrix } from '../../../src/adapters/poster/qr-code.js';
import { planPoster, posterSvg, type PosterText } from '../../../src/core/signup/poster.js';
import { decodeQrBlocks, decodeQrPng } from '../../support/qr-decode.js';

const LINKS = ['https://wa.me/390612345678?text=ISCRIVI', 'https://wa.me/390612345678?text=ISCRIVI%20raccolta-differenziata'];

const textFor = (url: string): PosterText => ({
  cityName: 'Comune di Sant’Elia a Pianisi',
  headline: 'Raccolta differenziata',
  hint: 'Inquadra il codice e invia il messaggio',
  fallback: ['oppure scrivi «ISCRIVI raccolta-differenziata» su WhatsApp', 'al numero +39 06 1234 5678'],
  url,
});

/** Dark pixels in a PNG's rows from `fromRow` down: the text under the code is drawn when there are some. */
function darkPixelsBelow(png: Buffer, fromRow: number): number {
  const { data, width, height } = PNG.sync.read(png);
  let dark = 0;
  for (let i = fromRow * width * 4; i < width * height * 4; i += 4) if ((data[i] ?? 255) < 128) dark++;
  return dark;
}

describe('the poster as PNG', () => {
  it.each(LINKS)('holds a QR code a camera reads back as exactly %s', (url) => {
    const png = posterPng(planPoster(qrMatrix(url), textFor(url)));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(decodeQrPng(png)).toBe(url);
  });

  it('draws the lines under the code with the fonts it is given', () => {
    const layout = planPoster(qrMatrix(LINKS[0] as string), textFor(LINKS[0] as string));
    const png = posterPng(layout, { system: false, dirs: ['/usr/share/fonts/truetype/dejavu'] });
    expect(darkPixelsBelow(png, layout.width * 3)).toBeGreaterThan(1000);
  });

  it('is refused, not written without its text, when no font is found', () => {
    const layout = planPoster(qrMatrix(LINKS[0] as string), textFor(LINKS[0] as string));
    expect(() => posterPng(layout, { system: false, dirs: [] })).toThrow(expect.objectContaining({ code: 'POSTER_FONT_MISSING', message: expect.stringContaining('--out poster.svg') }));
  });
});

describe('the poster as SVG', () => {
  it.each(LINKS)('drawn by an SVG renderer, holds a QR code read back as exactly %s', (url) => {
    const svg = posterSvg(planPoster(qrMatrix(url), textFor(url)));
    const png = new Resvg(svg, { font: { loadSystemFonts: false }, fitTo: { mode: 'width', value: 800 } }).render().asPng();
    expect(decodeQrPng(png)).toBe(url);
  });
});

describe('the QR code in a terminal', () => {
  it.each(LINKS)('drawn in block characters, reads back as exactly %s', async (url) => {
    const drawing = await qrForTerminal(url);
    expect(drawing).not.toContain('\u001b[');
    expect(decodeQrBlocks(drawing)).toBe(url);
  });

  it('has its whole quiet zone of four modules, and each line painted as asked', async () => {
    const lines = (await qrForTerminal(LINKS[0] as string, (line) => `<${line}>`)).split('\n');
    expect(lines.slice(0, 2).every((line) => /^<\s+>$/.test(line))).toBe(true);
    expect(lines.every((line) => /^<\s{4}.*\s{4}>$/.test(line))).toBe(true);
  });
});
