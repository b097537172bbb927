import { open, type FileHandle } from 'node:fs/promises';
import { SharedValues } from '../../core/shared-values.js';

const SECTION = /^"([A-Za-z]+)":\[(?:\](,|\}))?$/;

type State = 'header' | 'section' | 'records' | 'end';

export interface StoreLinesOptions {
  /** Given, each subscriber record goes to it as it is read, with its place in the list, and is not kept. */
  readonly subscriber?: (record: Record<string, unknown>, index: number) => void;
  /** Stop reading once this section has been read: the result then holds the sections up to it. */
  readonly until?: string;
}

/** The layout's state machine, fed one line at a time; `line` returns false when the file is not in the layout. */
class StoreLayout {
  readonly result: Record<string, unknown> = {};
  state: State = 'header';
  private section: unknown[] = [];
  private sectionName = '';
  private pendingComma = false;
  private subscribers = 0;
  private readonly shared = new SharedValues();

  constructor(private readonly options: StoreLinesOptions) {}

  /** True once the section the reader was asked to stop after has been read. */
  get done(): boolean {
    return this.options.until !== undefined && this.state !== 'records' && this.options.until in this.result;
  }

  line(line: string): boolean {
    const after = (closing: string | undefined): State => (closing === '}' ? 'end' : 'section');
    switch (this.state) {
      case 'header': {
        const match = /^\{"version":(\d+),$/.exec(line);
        if (match === null) return false;
        this.result.version = Number(match[1]);
        this.state = 'section';
        return true;
      }
      case 'section': {
        const match = SECTION.exec(line);
        const name = match?.[1];
        if (name === undefined || name in this.result) return false;
        this.section = [];
        this.sectionName = name;
        this.subscribers = 0;
        this.result[name] = this.section;
        this.pendingComma = false;
        this.state = match?.[2] === undefined ? 'records' : after(match[2]);
        return true;
      }
      case 'records': {
        if (line === '],' || line === ']}') {
          if (this.pendingComma) return false;
          this.state = after(line[1]);
          return true;
        }
        if ((this.section.length > 0 || this.subscribers > 0) && !this.pendingComma) return false;
        this.pendingComma = line.endsWith(',');
        const record: unknown = JSON.parse(this.pendingComma ? line.slice(0, -1) : line);
        if (record === null || typeof record !== 'object' || Array.isArray(record)) return false;
        if (this.sectionName !== 'subscribers') this.section.push(record);
        else if (this.options.subscriber !== undefined) this.options.subscriber(record as Record<string, unknown>, this.subscribers++);
        else {
          this.shared.shareSubscriber(record as Record<string, unknown>);
          this.section.push(record);
        }
        return true;
      }
      case 'end':
        return line.trim() === '';
      default: {
        const unreachable: never = this.state;
        return unreachable;
      }
    }
  }
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;
const READ_BYTES = 4 << 20;
const FAILED = -1;
const DONE = -2;

/** One line of bytes as text, without its CR. */
function decodeLine(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('utf8', start, end > start && bytes[end - 1] === RETURN ? end - 1 : end);
}

/**
 * Feeds the chunk's complete lines from `start` to the layout. Returns where the last complete line ends (+1), or
 * FAILED (not the layout) or DONE (the reader has what it asked for). A function of its own so V8 optimises the
 * loop: from optimised code Buffer's `indexOf` costs a few ns a call instead of 0.7 µs (0.6 s over a million lines).
 */
function feedLines(layout: StoreLayout, chunk: Buffer, from: number): number {
  let start = from;
  for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
    if (!layout.line(decodeLine(chunk, start, end))) return FAILED;
    if (layout.done) return DONE;
    start = end + 1;
  }
  return start;
}

/**
 * Reads db.json in the layout canale writes — a header line, then each section (`"topics":[`, …) with one record
 * per line — without ever holding the whole file as one string: a million-subscriber store costs its records'
 * memory, not twice the file's size. Lines are cut from the raw bytes and decoded one by one (readline's decoder and
 * events cost more than the JSON parsing here). Returns undefined when the file is laid out any other way (edited by
 * hand, pretty-printed, damaged); the caller then parses it whole, which also gives the exact position of an error.
 * With `options.subscriber`, subscribers are handed over one by one and the result's list stays empty; a caller
 * that gets undefined may have been handed some already.
 */
export async function readStoreLines(path: string, options: StoreLinesOptions = {}, opened?: FileHandle): Promise<unknown> {
  const layout = new StoreLayout(options);
  // one buffer, read into again and again: fresh 4 MB buffers cost a page fault per 4 KB on first touch, which
  // here took longer (0.4–0.7 s for a 390 MB store) than finding every line in them
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  let carry: Buffer = Buffer.alloc(0);
  // read at explicit positions: a handle the caller opened may be read again from its start
  const file = opened ?? (await open(path, 'r'));
  let position = 0;
  try {
    for (let read = (await file.read(buffer, 0, READ_BYTES, position)).bytesRead; read > 0; read = (await file.read(buffer, 0, READ_BYTES, position)).bytesRead) {
      position += read;
      const chunk = buffer.subarray(0, read);
      let start = 0;
      const first = chunk.indexOf(NEWLINE);
      if (first === -1) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      if (carry.length > 0) {
        // the line that runs across two chunks: only its own bytes are copied
        const joined = Buffer.concat([carry, chunk.subarray(0, first)]);
        if (!layout.line(decodeLine(joined, 0, joined.length))) return undefined;
        if (layout.done) return layout.result;
        start = first + 1;
      }
      start = feedLines(layout, chunk, start);
      if (start === FAILED) return undefined;
      if (start === DONE) return layout.result;
      // copied: the buffer is read into again
      carry = Buffer.from(chunk.subarray(start));
    }
    if (carry.length > 0 && !layout.line(decodeLine(carry, 0, carry.length))) return undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  } finally {
    if (opened === undefined) await file.close();
  }
  return layout.state === 'end' ? layout.result : undefined;
}
