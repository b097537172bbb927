import { describe, expect, it } from 'vitest';
import { planPoster, posterSvg, posterTextSvg, qrPath, QUIET_MODULES, type PosterText, type QrMatrix } from '../../../src/core/signup/poster.js';

/** A matrix whose dark modules are the ones `dark` says. */
const matrix = (size: number, dark: (row: number, column: number) => boolean): QrMatrix => ({ size, isDark: dark });

const TEXT: PosterText = {
  cityName: 'Comune di Bologna',
  headline: 'Cantieri',
  hint: 'Inquadra il codice e invia il messaggio',
  fallback: ['oppure scrivi «ISCRIVI cantieri» su WhatsApp', 'al numero +39 06 1234 5678'],
  url: 'https://wa.me/390612345678?text=ISCRIVI%20cantieri',
};

describe('qrPath', () => {
  it("draws each row's dark runs as one rectangle, inside the quiet zone", () => {
    const q = QUIET_MODULES;
    expect(qrPath(matrix(3, (r, c) => r === c))).toBe(`M${q} ${q}h1v1h-1zM${q + 1} ${q + 1}h1v1h-1zM${q + 2} ${q + 2}h1v1h-1z`);
    expect(qrPath(matrix(3, (r, c) => r === 1 && c > 0))).toBe(`M${q + 1} ${q + 1}h2v1h-2z`);
    expect(qrPath(matrix(2, () => false))).toBe('');
  });
});

describe('planPoster', () => {
  it('puts the QR code with its quiet zone on top and the lines under it, in order, inside the poster', () => {
    const layout = planPoster(matrix(29, () => true), TEXT);
    expect(layout.width).toBe((29 + 2 * QUIET_MODULES) * layout.module);
    expect(layout.lines.map((l) => l.text)).toEqual([TEXT.cityName, TEXT.headline, TEXT.hint, ...TEXT.fallback]);
    const ys = layout.lines.map((l) => l.y);
    expect(ys[0]).toBeGreaterThan((29 + QUIET_MODULES) * layout.module);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(layout.height).toBeGreaterThan(ys.at(-1) ?? Infinity);
    expect(layout.lines.filter((l) => l.bold).map((l) => l.text)).toEqual([TEXT.cityName, TEXT.headline]);
  });

  it('makes a line that would not fit smaller, and leaves short ones at their size', () => {
    const short = planPoster(matrix(29, () => true), TEXT);
    const long = planPoster(matrix(29, () => true), { ...TEXT, cityName: 'Comune di San Giovanni in Persiceto e Frazioni Unite' });
    expect(long.lines[0]?.size).toBeLessThan(short.lines[0]?.size ?? 0);
    expect(long.lines[1]?.size).toBe(short.lines[1]?.size);
    for (const line of long.lines) expect(line.size * line.text.length * (line.bold ? 0.66 : 0.58)).toBeLessThanOrEqual(long.width - 4 * long.module);
  });
});

describe('posterSvg', () => {
  const hostile = { ...TEXT, cityName: `Comune di <Sant'Elia> & "Co"`, headline: '</text><script>alert(1)</script>' };

  it('holds the QR path and every line, escaped', () => {
    const layout = planPoster(matrix(21, (r, c) => (r + c) % 2 === 0), hostile);
    const svg = posterSvg(layout);
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="348" height="\d+" viewBox="0 0 348 \d+"/);
    expect(svg).toContain(`d="${qrPath(layout.qr)}"`);
    expect(svg).toContain('>Comune di &lt;Sant&#39;Elia&gt; &amp; &quot;Co&quot;</text>');
    expect(svg).toContain('>&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;</text>');
    expect(svg).not.toContain('<script');
    expect(svg).toContain('<title id="title">Comune di &lt;Sant&#39;Elia&gt; &amp; &quot;Co&quot; — &lt;/text&gt;');
    expect(svg).toContain(`<desc id="desc">Inquadra il codice e invia il messaggio: https://wa.me/390612345678?text=ISCRIVI%20cantieri</desc>`);
    expect(svg.match(/<text /g)).toHaveLength(5);
  });

  it('has a text-only twin with the same lines and no code, for the font check', () => {
    const layout = planPoster(matrix(21, () => true), hostile);
    const text = posterTextSvg(layout);
    expect(text).not.toContain('<path');
    expect(text.match(/<text [^>]*>[^<]*<\/text>/g)).toEqual(posterSvg(layout).match(/<text [^>]*>[^<]*<\/text>/g));
  });
});
