import QRCode from 'qrcode';
import type { QrMatrix } from '../../core/signup/poster.js';

/**
 * Error correction Q: a quarter of the code may be lost (a scratch, a sticker, rain on a bus-stop poster) and it
 * still reads; the code stays small enough for a wa.me link.
 */
const CORRECTION = 'Q';

/** The QR code of `text`, encoded by the `qrcode` library, as the modules the poster draws. */
export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: CORRECTION });
  return { size: modules.size, isDark: (row, column) => modules.get(row, column) === 1 };
}

/**
 * The same code drawn with block characters for a terminal, two modules per character, with its whole quiet zone
 * (qrcode's `terminal` renderer keeps only one module of it). `paint` colours each line: dark on an explicit white
 * background reads whatever the terminal's theme; unpainted, the blocks take the terminal's own colours.
 */
export async function qrForTerminal(text: string, paint: (line: string) => string = (line) => line): Promise<string> {
  const drawing = await QRCode.toString(text, { type: 'utf8', errorCorrectionLevel: CORRECTION });
  return drawing
    .split('\n')
    .filter((line) => line !== '')
    .map(paint)
    .join('\n');
}
