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
 * The same code drawn in a terminal, two modules per character. With colour it is dark on an explicit white
 * background, which every phone reads whatever the terminal's theme; without colour (NO_COLOR, --no-color) it is
 * plain block characters, drawn in the terminal's own colours.
 */
export function qrForTerminal(text: string, color: boolean): Promise<string> {
  return color
    ? QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: CORRECTION })
    : QRCode.toString(text, { type: 'utf8', errorCorrectionLevel: CORRECTION });
}
