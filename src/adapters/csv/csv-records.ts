import Papa, { type ParseError } from 'papaparse';
import { CanaleError } from '../../core/errors.js';

/** Receives the records of a file in order, each with the physical line it starts on (the first line is 1). */
export interface CsvVisitor {
  record(cells: string[], line: number): void;
  /**
   * A record the parser could not read (a quote never closed, text after a closing quote), or one read after a quote
   * that is never closed: its line, why, and its cells as well as they can be told, to write them out as they were.
   */
  broken(line: number, reason: string, cells: string[]): void;
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

  /** Where the next record starts (its line and offset), without passing it. */
  peek(): { line: number; offset: number } {
    const line = this.skipBlank();
    return { line, offset: this.offset };
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

/** Why papaparse could not read a record: text after a closing quote (a quote never closed is told apart). */
function brokenReason(error: ParseError): string {
  return `a quoted value is followed by more text before the next delimiter (${error.message}) — put the whole value in quotes, with any " inside doubled`;
}

const UNCLOSED =
  'a quoted value starts on this line and is never closed (a " is missing), so where this row and the ones after it end cannot be told — none of them is imported: close the quote, then import them again';

function swallowed(line: number): string {
  return `read after the quote left open on line ${line}: not imported, as where it starts cannot be told — close that quote, then import this row again`;
}

function partOf(line: number): string {
  return `read as part of a quoted value opened on line ${line}: not imported — fix the quotes of line ${line}, then import this row again`;
}

/** The lines of a piece of text, CRLF, LF and CR each ending one (the empty piece after a last break left out). */
function physicalLines(text: string): string[] {
  const parts = text.split(/\r\n|\r|\n/);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The cells of one physical line read alone: as CSV when its quotes are right there, else split at each delimiter. */
function cellsOfLine(raw: string, delimiter: string): string[] {
  const alone = Papa.parse<string[]>(raw, { delimiter });
  const cells = alone.data[0];
  return alone.errors.length === 0 && alone.data.length === 1 && cells !== undefined ? cells : raw.split(delimiter);
}

/** The end of the physical line that starts at `offset` (before its line break). */
function lineEnd(text: string, offset: number): number {
  const lf = text.indexOf('\n', offset);
  const cr = text.indexOf('\r', offset);
  const ends = [lf, cr].filter((e) => e >= 0);
  return ends.length === 0 ? text.length : Math.min(...ends);
}

/** The offset after the line break at `end`, or `end` at the end of the text. */
function afterBreak(text: string, end: number): number {
  if (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF) return end + 2;
  return end < text.length ? end + 1 : end;
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
  // after a quote that is never closed, papaparse reads the rest of the file as one value: the broken line is kept
  // as its own cells, and the rest is parsed again, its records reported as broken with their own cells
  let openedOn: number | undefined;
  let from: number | undefined = 0;
  while (from !== undefined) {
    const slice = await parseSlice(text, from, delimiter, lines, visitor, sliceRecords, openedOn);
    if (slice.failure !== undefined) throw readFailure(slice.failure, name);
    from = slice.unclosed?.rest;
    openedOn ??= slice.unclosed?.line;
  }
  visitor.progress?.(text.length, text.length);
}

interface Slice {
  readonly failure?: unknown;
  readonly unclosed?: { readonly line: number; readonly rest: number };
}

/** Parses the text from `from`, stopping after a record whose quote is never closed (then `unclosed` says where). */
function parseSlice(text: string, from: number, delimiter: string, lines: LineCounter, visitor: CsvVisitor, sliceRecords: number, openedOn: number | undefined): Promise<Slice> {
  return new Promise<Slice>((resolve) => {
    let records = 0;
    let failure: unknown;
    let unclosed: Slice['unclosed'];
    // papaparse resumes on the rest of the text: cursors after a pause count from where it paused
    let base = from;
    Papa.parse<string[]>(from === 0 ? text : text.slice(from), {
      delimiter,
      skipEmptyLines: true,
      step: (results, parser) => {
        if (failure !== undefined || unclosed !== undefined) return;
        const end = base + results.meta.cursor;
        try {
          const broken = results.errors.find((e) => e.type === 'Quotes');
          if (broken !== undefined) {
            // the record's cells are not what the file meant: each of its physical lines is told with its own cells
            const start = lines.peek();
            const missing = broken.code === 'MissingQuotes';
            const stop = missing ? afterBreak(text, lineEnd(text, start.offset)) : end;
            physicalLines(text.slice(start.offset, stop)).forEach((raw, i) => {
              if (raw === '') return;
              const reason = openedOn !== undefined ? swallowed(openedOn) : i > 0 ? partOf(start.line) : missing ? UNCLOSED : brokenReason(broken);
              visitor.broken(start.line + i, reason, cellsOfLine(raw, delimiter));
            });
            lines.startOf(stop);
            if (missing) {
              unclosed = { line: openedOn ?? start.line, rest: stop };
              parser.abort();
              return;
            }
          } else {
            const line = lines.startOf(end);
            if (openedOn !== undefined) visitor.broken(line, swallowed(openedOn), results.data);
            else visitor.record(results.data, line);
          }
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
      complete: () => resolve({ failure, unclosed }),
    });
  });
}
