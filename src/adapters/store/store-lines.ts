import { createReadStream } from 'node:fs';
import { SharedValues } from './shared-values.js';

const SECTION = /^"([A-Za-z]+)":\[(?:\](,|\}))?$/;

/**
 * Reads db.json in the layout canale writes — a header line, then each section (`"topics":[`, …) with one record
 * per line — without ever holding the whole file as one string: a million-subscriber store costs its records'
 * memory, not twice the file's size. Returns undefined when the file is laid out any other way (edited by hand,
 * pretty-printed, damaged); the caller then parses it whole, which also gives the exact position of an error.
 */
type State = 'header' | 'section' | 'records' | 'end';

/** The layout's state machine, fed one line at a time; `line` returns false when the file is not in the layout. */
class StoreLayout {
  readonly result: Record<string, unknown> = {};
  state: State = 'header';
  private section: unknown[] = [];
  private sectionName = '';
  private pendingComma = false;
  private readonly shared = new SharedValues();

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
        if (this.section.length > 0 && !this.pendingComma) return false;
        this.pendingComma = line.endsWith(',');
        const record: unknown = JSON.parse(this.pendingComma ? line.slice(0, -1) : line);
        if (record === null || typeof record !== 'object' || Array.isArray(record)) return false;
        if (this.sectionName === 'subscribers') this.shared.shareSubscriber(record as Record<string, unknown>);
        this.section.push(record);
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

/**
 * Reads db.json in the layout canale writes — a header line, then each section (`"topics":[`, …) with one record
 * per line — without ever holding the whole file as one string: a million-subscriber store costs its records'
 * memory, not twice the file's size. Lines are cut from the raw bytes and decoded one by one (readline's decoder and
 * events cost more than the JSON parsing here). Returns undefined when the file is laid out any other way (edited by
 * hand, pretty-printed, damaged); the caller then parses it whole, which also gives the exact position of an error.
 */
export async function readStoreLines(path: string): Promise<unknown> {
  const layout = new StoreLayout();
  const lineAt = (bytes: Buffer, start: number, end: number): boolean =>
    layout.line(bytes.toString('utf8', start, end > start && bytes[end - 1] === RETURN ? end - 1 : end));
  let carry: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
      let start = 0;
      const first = chunk.indexOf(NEWLINE);
      if (first === -1) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      if (carry.length > 0) {
        // the line that runs across two chunks: only its own bytes are copied
        const joined = Buffer.concat([carry, chunk.subarray(0, first)]);
        if (!lineAt(joined, 0, joined.length)) return undefined;
        start = first + 1;
      }
      for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
        if (!lineAt(chunk, start, end)) return undefined;
        start = end + 1;
      }
      carry = Buffer.from(chunk.subarray(start));
    }
    if (carry.length > 0 && !lineAt(carry, 0, carry.length)) return undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  return layout.state === 'end' ? layout.result : undefined;
}
