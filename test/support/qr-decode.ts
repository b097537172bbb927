import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is a CommonJS module whose types describe its ES default export: that is where the function is
const jsQR = jsQRModule.default;

/** The text of the QR code a PNG shows, read as a phone's camera would (jsQR); undefined when none is found. */
export function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height, { inversionAttempts: 'dontInvert' })?.data;
}

/**
 * The text of a QR code drawn with block characters (qrcode's `utf8` renderer, two modules per character: `█`
 * both dark, `▀` the upper, `▄` the lower), drawn again as pixels and read by jsQR.
 */
export function decodeQrBlocks(drawing: string, pixelsPerModule = 8): string | undefined {
  const rows = drawing.split('\n').filter((line) => line.length > 0);
  const modules: boolean[][] = rows.flatMap((line) => {
    const chars = [...line];
    return [chars.map((c) => c === '█' || c === '▀'), chars.map((c) => c === '█' || c === '▄')];
  });
  const side = Math.max(...modules.map((r) => r.length));
  const width = side * pixelsPerModule;
  const height = modules.length * pixelsPerModule;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (modules[Math.floor(y / pixelsPerModule)]?.[Math.floor(x / pixelsPerModule)] === true) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
    }
  }
  return jsQR(data, width, height, { inversionAttempts: 'dontInvert' })?.data;
}
