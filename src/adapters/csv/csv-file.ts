import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CanaleError } from '../../core/errors.js';
import { detectDelimiter } from './csv-delimiter.js';
import { bomLengthFor, detectEncoding, encodingLabel, toUtf8, type DetectedEncoding } from './csv-encoding.js';

/** A CSV file read whole, ready to parse: UTF-8 bytes, its delimiter, and the facts an import records about it. */
export interface CsvFile {
  readonly path: string;
  readonly name: string;
  /** Size of the file as it is on disk. */
  readonly size: number;
  /** sha256 of the file as it is on disk, in hex. */
  readonly sha256: string;
  readonly encoding: string;
  readonly delimiter: string;
  /** The content as UTF-8, without a byte-order mark. */
  readonly bytes: Buffer;
}

const SIGNATURES: ReadonlyArray<readonly [number[], string]> = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive — an Excel .xlsx or LibreOffice .ods workbook?'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel .xls workbook'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x1f, 0x8b], 'a gzip archive'],
];

const SAVE_AS_CSV = 'save it as CSV first (Excel: File › Save As › "CSV UTF-8"; LibreOffice: File › Save As › "Text CSV")';

function notCsv(path: string, what: string, next = SAVE_AS_CSV): CanaleError {
  return new CanaleError('IMPORT_NOT_CSV', `${path} is ${what}, not a CSV file — ${next}`);
}

/** Refuses files that are clearly not text: known binary formats by their first bytes, and NUL bytes in text. */
function refuseBinary(path: string, bytes: Buffer, detected: DetectedEncoding): void {
  for (const [signature, what] of SIGNATURES) {
    if (signature.every((b, i) => bytes[i] === b)) throw notCsv(path, what);
  }
  if (!detected.encoding.startsWith('utf-16') && bytes.subarray(0, 1 << 16).includes(0)) {
    throw notCsv(path, 'a binary file (it holds NUL bytes)', 'give a CSV exported from a spreadsheet or a form');
  }
}

/**
 * Reads a CSV file whole (a million rows are about 100 MB, which fits), hashes it, finds or applies its encoding
 * and delimiter, and returns it as UTF-8 bytes. A file that is empty, binary, a workbook or JSON is refused with
 * one sentence naming it; read errors (missing file, no permission) are left to the caller's error report.
 */
export async function openCsvFile(path: string, forced: { readonly encoding?: string; readonly delimiter?: string }): Promise<CsvFile> {
  const raw = await readFile(path);
  const detected: DetectedEncoding =
    forced.encoding === undefined ? detectEncoding(raw) : { encoding: forced.encoding, bomLength: bomLengthFor(raw, forced.encoding) };
  refuseBinary(path, raw, detected);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const bytes = toUtf8(raw, detected);
  const sample = bytes.subarray(0, 1 << 16).toString('utf8');
  if (sample.trim() === '') throw new CanaleError('IMPORT_EMPTY', `${path} is empty — there is nothing to import`);
  if (/^\s*(?:\[\s*\{|\{\s*")/.test(sample)) {
    throw notCsv(path, 'JSON', 'subscribers import reads CSV: export with --format csv, or save the data as CSV');
  }
  return {
    path,
    name: basename(path),
    size: raw.length,
    sha256,
    encoding: encodingLabel(detected),
    delimiter: forced.delimiter ?? detectDelimiter(sample),
    bytes,
  };
}
