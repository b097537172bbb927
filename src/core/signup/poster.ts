import { escapeHtml } from '../message/email-html.js';

/** A QR code's modules, as the QR library made them: `size` × `size`, `isDark(row, column)`. */
export interface QrMatrix {
  readonly size: number;
  isDark(row: number, column: number): boolean;
}

/** What a sign-up poster says under its QR code. */
export interface PosterText {
  /** `city.name`: whose channel it is. */
  readonly cityName: string;
  /** The topic's label, or an invitation to the channel as a whole. */
  readonly headline: string;
  /** What to do: frame the code, send the message. */
  readonly hint: string;
  /** For whoever cannot scan: the message to write and the number, on one or two lines. */
  readonly fallback: readonly string[];
  /** The link the code holds, for the SVG's description (screen readers, a search in the file). */
  readonly url: string;
}

export interface PosterLine {
  readonly text: string;
  /** The baseline, in poster units. */
  readonly y: number;
  readonly size: number;
  readonly bold: boolean;
}

/** The poster as a value: the SVG, the PNG and the font check are all drawn from it. */
export interface PosterLayout {
  readonly width: number;
  readonly height: number;
  /** Side of one QR module in poster units; the code starts at (quiet, quiet) modules. */
  readonly module: number;
  readonly qr: QrMatrix;
  readonly lines: readonly PosterLine[];
  readonly title: string;
  readonly description: string;
}

/** Poster units per QR module: a PNG at zoom 3 has 36 px modules, sharp when printed on A4. */
const MODULE = 12;
/** The white border a scanner needs around the code, in modules (ISO/IEC 18004). */
export const QUIET_MODULES = 4;
/** What the fonts named in FONT_FAMILY advance per character, in em, at most in practice (DejaVu Sans bold is ~0.63). */
const CHARACTER_WIDTH = { regular: 0.58, bold: 0.66 } as const;
export const FONT_FAMILY = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";

/**
 * Lays a sign-up poster out: the QR code on top with its quiet zone, then, centred, the city's name, the headline,
 * what to do and the fallback. Each line's size is its preferred one, made smaller when the text would not fit
 * the width — no font is measured here, so the width is estimated on the generous side.
 */
export function planPoster(qr: QrMatrix, text: PosterText): PosterLayout {
  const width = (qr.size + 2 * QUIET_MODULES) * MODULE;
  const margin = 2 * MODULE;
  // each line: its text, its preferred size as a share of the width, bold, and the space above it in its own sizes
  const wanted: ReadonlyArray<readonly [string, number, boolean, number]> = [
    [text.cityName, 0.075, true, 1.45],
    [text.headline, 0.065, true, 1.45],
    [text.hint, 0.042, false, 1.9],
    ...text.fallback.map((line, i): readonly [string, number, boolean, number] => [line, 0.034, false, i === 0 ? 1.9 : 1.45]),
  ];
  const lines: PosterLine[] = [];
  let y = width - MODULE; // the quiet zone's lower half is room enough above the first line
  for (const [line, share, bold, lead] of wanted) {
    const fitting = (width - 2 * margin) / (Math.max(1, line.length) * CHARACTER_WIDTH[bold ? 'bold' : 'regular']);
    const size = Math.round(Math.min(width * share, fitting) * 10) / 10;
    y += size * lead;
    lines.push({ text: line, y: Math.round(y * 10) / 10, size, bold });
  }
  const height = Math.ceil(y + margin);
  const title = `${text.cityName} — ${text.headline}`;
  return { width, height, module: MODULE, qr, lines, title, description: `${text.hint}: ${text.url}` };
}

/** The code's dark modules as one path in module units: each row's runs as rectangles, so the file stays small. */
export function qrPath(qr: QrMatrix): string {
  const parts: string[] = [];
  for (let row = 0; row < qr.size; row++) {
    for (let column = 0; column < qr.size; column++) {
      if (!qr.isDark(row, column)) continue;
      const start = column;
      while (column + 1 < qr.size && qr.isDark(row, column + 1)) column++;
      const run = column - start + 1;
      parts.push(`M${start + QUIET_MODULES} ${row + QUIET_MODULES}h${run}v1h-${run}z`);
    }
  }
  return parts.join('');
}

function textElements(layout: PosterLayout): string[] {
  return layout.lines.map(
    (line) =>
      `<text x="${layout.width / 2}" y="${line.y}" font-size="${line.size}"${line.bold ? ' font-weight="bold"' : ''}>${escapeHtml(line.text)}</text>`,
  );
}

function svgOpen(layout: PosterLayout): string {
  const { width, height } = layout;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"`;
}

/**
 * The poster as a standalone SVG document: black on white (the contrast a scanner and a reader need), every text
 * escaped, a title and a description for screen readers, nothing loaded from elsewhere.
 */
export function posterSvg(layout: PosterLayout): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `${svgOpen(layout)} role="img" aria-labelledby="title desc">`,
    `<title id="title">${escapeHtml(layout.title)}</title>`,
    `<desc id="desc">${escapeHtml(layout.description)}</desc>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<path transform="scale(${layout.module})" shape-rendering="crispEdges" fill="#000000" d="${qrPath(layout.qr)}"/>`,
    `<g font-family="${FONT_FAMILY}" fill="#111111" text-anchor="middle">`,
    ...textElements(layout),
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

/** The poster's lines alone, drawn as the poster draws them: what a renderer must be able to draw before a PNG is made. */
export function posterTextSvg(layout: PosterLayout): string {
  return [`${svgOpen(layout)}>`, `<g font-family="${FONT_FAMILY}" text-anchor="middle">`, ...textElements(layout), '</g>', '</svg>', ''].join('\n');
}
