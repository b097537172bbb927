import Papa, { type ParseError } from 'papaparse';
import { CanaleError } from '../../core/errors.js';

/** Receives the records of a file in order, each with the physical line it starts on (the first line is 1). */
export interface CsvVisitor {
  record(cells: string[], line: number): void;
  /** A record the parser could not read (a quote never closed, text after a closing quote): its line and why. */
  broken(line: number, reason: string): void;
  progress?(doneBytes: number, totalBytes: number): void;
}

/**
 * Physical line numbers, counted on the text: CRLF, LF and CR each end one line, inside quotes too (a quoted CRLF
 * is one line). Blank lines before a record are skipped to find where it starts. Line breaks are found with
 * `indexOf` (a native search), each one once, rather than by looking at every character.
 */
class LineCounter {
  private offset = 0;
  private line = 1;
  private nextLf: number;
  private nextCr: number;

  constructor(private readonly text: string) {
    this.nextLf = this.find('\n', 0);
    this.nextCr = this.find('\r', 0);
  }

  /** The line the next record starts on; its end (after its line break) is at `end`. */
  startOf(end: number): number {
    const start = this.skipBlank();
    this.advance(end);
    return start;
  }

  private skipBlank(): number {
    const t = this.text;
    for (let c = t.charCodeAt(this.offset); c === LF || c === CR; c = t.charCodeAt(this.offset)) {
      this.offset += c === CR && t.charCodeAt(this.offset + 1) === LF ? 2 : 1;
      this.line++;
    }
    return this.line;
  }

  /** Counts the line breaks from the offset up to `end`: every LF, and every CR not followed by an LF. */
  private advance(end: number): void {
    const from = this.offset;
    if (this.nextLf < from) this.nextLf = this.find('\n', from);
    while (this.nextLf < end) {
      this.line++;
      this.nextLf = this.find('\n', this.nextLf + 1);
    }
    if (this.nextCr < from) this.nextCr = this.find('\r', from);
    while (this.nextCr < end) {
      if (this.text.charCodeAt(this.nextCr + 1) !== LF) this.line++;
      this.nextCr = this.find('\r', this.nextCr + 1);
    }
    this.offset = Math.max(from, end);
  }

  /** Where the next `char` is at or after `from`; the length of the text when there is none. */
  private find(char: string, from: number): number {
    const at = this.text.indexOf(char, from);
    return at < 0 ? this.text.length : at;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/** Why papaparse could not read a record: a quote never closed, or text after a closing quote. */
function brokenReason(error: ParseError): string {
  if (error.code === 'MissingQuotes') {
    return 'a quoted value starts on this line and is never closed (a " is missing), so the rest of the file was read as one value';
  }
  return `a quoted value is followed by more text before the next delimiter (${error.message}) — put the whole value in quotes, with any " inside doubled`;
}

/** A failure while reading: the visitor's own errors as they are, anything else as a file that is not CSV. */
function readFailure(failure: unknown, name: string): CanaleError {
  if (failure instanceof CanaleError) return failure;
  const message = failure instanceof Error ? failure.message : String(failure);
  return new CanaleError('IMPORT_NOT_CSV', `${name} cannot be read as CSV: ${message}`);
}

/**
 * Parses CSV bytes (UTF-8, no byte-order mark) in one pass with papaparse — RFC 4180 quoting, about four times
 * faster than csv-parse on a million rows — yielding to the event loop every `sliceRecords` records so a progress
 * bar can draw. Rows may have more or fewer cells than the header; a stray quote inside an unquoted value is kept
 * as text; empty lines are skipped; a record whose quotes are broken is reported to `broken`, not read.
 */
export async function readCsvRecords(bytes: Buffer, delimiter: string, name: string, visitor: CsvVisitor, sliceRecords = 20_000): Promise<void> {
  const text = bytes.toString('utf8');
  const lines = new LineCounter(text);
  let failure: unknown;
  await new Promise<void>((resolve) => {
    let records = 0;
    // papaparse resumes on the rest of the text: cursors after a pause count from where it paused
    let base = 0;
    Papa.parse<string[]>(text, {
      delimiter,
      skipEmptyLines: true,
      step: (results, parser) => {
        if (failure !== undefined) return;
        const end = base + results.meta.cursor;
        try {
          const broken = results.errors.find((e) => e.type === 'Quotes');
          if (broken === undefined) visitor.record(results.data, lines.startOf(end));
          else visitor.broken(lines.startOf(end), brokenReason(broken));
        } catch (error) {
          failure = error;
          parser.abort();
          return;
        }
        if (++records % sliceRecords === 0) {
          visitor.progress?.(end, text.length);
          base = end;
          parser.pause();
          setImmediate(() => parser.resume());
        }
      },
      complete: () => resolve(),
    });
  });
  if (failure !== undefined) throw readFailure(failure, name);
  visitor.progress?.(text.length, text.length);
}
