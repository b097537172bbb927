import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { parse, type CsvError } from 'csv-parse';
import { CanaleError } from '../../core/errors.js';
import { plainLineEnd, readPlainRecords } from './plain-csv.js';

/** Receives the records of a file in order, each with the physical line it starts on (the first line is 1). */
export interface CsvVisitor {
  record(cells: string[], line: number): void;
  /** A record csv-parse could not read (a quote never closed): its line and why. */
  broken(line: number, reason: string): void;
  progress?(doneBytes: number, totalBytes: number): void;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Physical line numbers, counted on the bytes: CRLF, LF and CR each end one line, inside quotes too (csv-parse's
 * own count takes a quoted CRLF for two lines). Blank lines before a record are skipped to find where it starts.
 * Line breaks are found with `indexOf` (a native search), each one once, rather than by looking at every byte.
 */
class LineCounter {
  private offset = 0;
  private line = 1;
  private nextLf: number;
  private nextCr: number;

  constructor(private readonly bytes: Buffer) {
    this.nextLf = this.find(LF, 0);
    this.nextCr = this.find(CR, 0);
  }

  /** The line the next record starts on; its end (after its line break) is at `end`. */
  startOf(end: number): number {
    const start = this.skipBlank();
    this.advance(end);
    return start;
  }

  /** The line the next record starts on, without moving past it. */
  peek(): number {
    return this.skipBlank();
  }

  private skipBlank(): number {
    const b = this.bytes;
    while (this.offset < b.length && (b[this.offset] === LF || b[this.offset] === CR)) {
      this.offset += b[this.offset] === CR && b[this.offset + 1] === LF ? 2 : 1;
      this.line++;
    }
    return this.line;
  }

  /** Counts the line breaks from the offset up to `end`: every LF, and every CR not followed by an LF. */
  private advance(end: number): void {
    const b = this.bytes;
    const from = this.offset;
    if (this.nextLf < from) this.nextLf = this.find(LF, from);
    while (this.nextLf < end) {
      this.line++;
      this.nextLf = this.find(LF, this.nextLf + 1);
    }
    if (this.nextCr < from) this.nextCr = this.find(CR, from);
    while (this.nextCr < end) {
      if (b[this.nextCr + 1] !== LF) this.line++;
      this.nextCr = this.find(CR, this.nextCr + 1);
    }
    this.offset = Math.max(from, end);
  }

  /** Where the next `byte` is at or after `from`; the length of the bytes when there is none. */
  private find(byte: number, from: number): number {
    const at = this.bytes.indexOf(byte, from);
    return at < 0 ? this.bytes.length : at;
  }
}

function brokenReason(error: CsvError): string {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    return 'a quoted value starts on this line and is never closed (a " is missing), so the rest of the file was read as one value';
  }
  return error.message;
}

/** A failure while reading: the visitor's own errors as they are, anything else as a file that is not CSV. */
function readFailure(failure: unknown, name: string): CanaleError {
  if (failure instanceof CanaleError) return failure;
  const message = failure instanceof Error ? failure.message : String(failure);
  return new CanaleError('IMPORT_NOT_CSV', `${name} cannot be read as CSV: ${message}`);
}

/** The delimiter as one byte, when it is one the plain reader can use. */
function delimiterByte(delimiter: string): number | undefined {
  const code = delimiter.charCodeAt(0);
  return delimiter.length === 1 && code < 0x80 && code !== LF && code !== CR && code !== 0x22 ? code : undefined;
}

/**
 * Parses CSV bytes (UTF-8, no byte-order mark) in one pass, in chunks, yielding to the event loop between them so
 * a progress bar can draw. RFC 4180 quoting; rows may have more or fewer cells than the header; a stray quote
 * inside an unquoted value is kept as text; empty lines are skipped. A plain file (see `plainLineEnd`) is read by a
 * tight loop that gives the same records as csv-parse (a million rows: about 1 s instead of 3.5); any other goes
 * to csv-parse.
 */
export async function readCsvRecords(bytes: Buffer, delimiter: string, name: string, visitor: CsvVisitor, chunkBytes = 1 << 18): Promise<void> {
  const byte = delimiterByte(delimiter);
  const plain = byte === undefined ? undefined : plainLineEnd(bytes, byte);
  if (byte === undefined || plain === undefined) return parseCsvRecords(bytes, delimiter, name, visitor, chunkBytes);
  const lines = new LineCounter(bytes);
  try {
    for (let offset = 0; offset < bytes.length; ) {
      offset = readPlainRecords(bytes, byte, plain.crlf, offset, offset + chunkBytes, (cells, end) => visitor.record(cells, lines.startOf(end)));
      visitor.progress?.(offset, bytes.length);
      await yieldToEvents();
    }
  } catch (error) {
    throw readFailure(error, name);
  }
}

/** `readCsvRecords` by csv-parse, for any file. */
async function parseCsvRecords(bytes: Buffer, delimiter: string, name: string, visitor: CsvVisitor, chunkBytes = 1 << 18): Promise<void> {
  const lines = new LineCounter(bytes);
  const parser = parse({
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  // the visitor may throw (a bad --map found at the header): records can arrive while the parser flushes, outside
  // this function's stack, so failures are kept and rethrown here instead of escaping as uncaught exceptions
  let failure: unknown;
  const guard =
    <A extends unknown[]>(handle: (...args: A) => void) =>
    (...args: A): void => {
      if (failure !== undefined) return;
      try {
        handle(...args);
      } catch (error) {
        failure = error;
      }
    };
  parser.on('data', guard((cells: string[]) => visitor.record(cells, lines.startOf(parser.info.bytes))));
  parser.on('skip', guard((error: CsvError) => visitor.broken(lines.peek(), brokenReason(error))));
  parser.on('error', (error: unknown) => (failure ??= error));
  const ended = new Promise<void>((resolve) => parser.on('end', resolve).on('error', () => resolve()));
  try {
    for (let offset = 0; offset < bytes.length && failure === undefined; offset += chunkBytes) {
      parser.write(bytes.subarray(offset, offset + chunkBytes));
      visitor.progress?.(Math.min(offset + chunkBytes, bytes.length), bytes.length);
      await yieldToEvents();
    }
    if (failure === undefined) {
      parser.end();
      await ended;
    }
  } finally {
    if (failure !== undefined) parser.destroy();
  }
  if (failure !== undefined) throw readFailure(failure, name);
}
