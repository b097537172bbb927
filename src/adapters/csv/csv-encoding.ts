import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { usageError } from '../../core/errors.js';

/** An encoding as iconv-lite names it, and how long the byte-order mark at the start of the file is. */
export interface DetectedEncoding {
  readonly encoding: string;
  readonly bomLength: number;
}

const ALIASES: Readonly<Record<string, string>> = {
  utf8: 'utf-8',
  utf8bom: 'utf-8',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
  ucs2: 'utf-16le',
  utf16: 'utf-16',
  unicode: 'utf-16',
  windows1252: 'windows-1252',
  win1252: 'windows-1252',
  cp1252: 'windows-1252',
  ansi: 'windows-1252',
  latin1: 'windows-1252',
  iso88591: 'windows-1252',
  iso885915: 'iso-8859-15',
};

/**
 * Checks `--encoding`: UTF-8, UTF-16 (LE, BE, or by its byte-order mark), Windows-1252 (also called ANSI or
 * Latin-1: Excel's, where ISO-8859-1's control codes hold € and curly quotes), or any other encoding iconv-lite knows.
 */
export function checkEncoding(text: string): string {
  const compact = text.trim().toLowerCase().replace(/[\s_-]/g, '');
  const name = ALIASES[compact] ?? text.trim().toLowerCase();
  if (name === '' || !iconv.encodingExists(name)) {
    throw usageError('ENCODING_UNKNOWN', `--encoding "${text}" is not an encoding canale knows — use utf-8, utf-16le, utf-16be or windows-1252`);
  }
  return name;
}

/** The share of even (or odd) bytes that are zero in the first 4 KiB: UTF-16 text without a byte-order mark. */
function zeroShare(bytes: Buffer, parity: 0 | 1): number {
  const end = Math.min(bytes.length, 4096);
  let zeros = 0;
  for (let i = parity; i < end; i += 2) if (bytes[i] === 0) zeros++;
  return end < 2 ? 0 : zeros / Math.floor(end / 2);
}

/**
 * Finds a text file's encoding: a byte-order mark (UTF-8, UTF-16 LE/BE) first; then UTF-16 without one (every
 * other byte zero); then UTF-8 when every byte sequence of the file is valid UTF-8; else Windows-1252, what
 * Italian Excel writes for "CSV (separato da punto e virgola)".
 */
export function detectEncoding(bytes: Buffer): DetectedEncoding {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  if (zeroShare(bytes, 1) > 0.4 && zeroShare(bytes, 0) < 0.1) return { encoding: 'utf-16le', bomLength: 0 };
  if (zeroShare(bytes, 0) > 0.4 && zeroShare(bytes, 1) < 0.1) return { encoding: 'utf-16be', bomLength: 0 };
  if (isUtf8(bytes)) return { encoding: 'utf-8', bomLength: 0 };
  return { encoding: 'windows-1252', bomLength: 0 };
}

/** The byte-order mark a forced encoding may still find at the start of the file. */
export function bomLengthFor(bytes: Buffer, encoding: string): number {
  // plain "utf-16" is left to iconv-lite, which reads the mark to choose between LE and BE
  const found = detectEncoding(bytes.subarray(0, 4));
  return found.bomLength > 0 && found.encoding === encoding ? found.bomLength : 0;
}

/** The file as UTF-8 bytes without a byte-order mark: what the CSV parser reads. UTF-8 input is not copied. */
export function toUtf8(bytes: Buffer, detected: DetectedEncoding): Buffer {
  const body = bytes.subarray(detected.bomLength);
  if (detected.encoding === 'utf-8') return body;
  return Buffer.from(iconv.decode(body, detected.encoding, { stripBOM: true }), 'utf8');
}

/** How an encoding is named to people. */
export function encodingLabel(detected: DetectedEncoding): string {
  const name = detected.encoding.toUpperCase().replace('WINDOWS', 'Windows');
  return detected.bomLength > 0 ? `${name} with BOM` : name;
}
