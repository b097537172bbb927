import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { CanaleError } from '../../core/errors.js';
import { posterSvg, posterTextSvg, type PosterLayout } from '../../core/signup/poster.js';

/** 3 pixels per poster unit: 36 px per QR module, about 10 cm wide at 300 dpi. */
const ZOOM = 3;

/** Where resvg finds fonts: the system's (fontconfig's folders), and more folders; tests name exactly theirs. */
export interface PosterFonts {
  readonly system: boolean;
  readonly dirs: readonly string[];
}

/**
 * The poster as a PNG, drawn from its SVG by resvg with the system's fonts (any font will do: resvg falls back from
 * the families the poster names). A system with no font at all would give a code with no text under it: first the
 * lines alone are drawn, and if nothing of them shows the PNG is refused (`POSTER_FONT_MISSING`) rather than written.
 */
export function posterPng(layout: PosterLayout, fonts: PosterFonts = { system: true, dirs: [] }): Buffer {
  const options: ResvgRenderOptions = { font: { loadSystemFonts: fonts.system, fontDirs: [...fonts.dirs] }, logLevel: 'off' };
  if (new Resvg(posterTextSvg(layout), options).innerBBox() === undefined) {
    throw new CanaleError(
      'POSTER_FONT_MISSING',
      'no font to draw the text under the QR code was found on this system, so no PNG was written — install one ' +
        '(Debian/Ubuntu: sudo apt install fonts-dejavu-core), or write the poster as SVG (--out poster.svg), which the program that prints it draws with its own fonts',
    );
  }
  return new Resvg(posterSvg(layout), { ...options, fitTo: { mode: 'zoom', value: ZOOM }, shapeRendering: 1 }).render().asPng();
}
