import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const SECTION = /^"([A-Za-z]+)":\[(?:\](,|\}))?$/;

/**
 * Reads db.json in the layout canale writes — a header line, then each section (`"topics":[`, …) with one record
 * per line — without ever holding the whole file as one string: a million-subscriber store costs its records'
 * memory, not twice the file's size. Returns undefined when the file is laid out any other way (edited by hand,
 * pretty-printed, damaged); the caller then parses it whole, which also gives the exact position of an error.
 */
export async function readStoreLines(path: string): Promise<unknown> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  const result: Record<string, unknown> = {};
  type State = 'header' | 'section' | 'records' | 'end';
  let state = 'header' as State;
  let section: unknown[] = [];
  let pendingComma = false;
  const after = (closing: string | undefined): State => (closing === '}' ? 'end' : 'section');
  try {
    for await (const line of lines) {
      switch (state) {
        case 'header': {
          const match = /^\{"version":(\d+),$/.exec(line);
          if (match === null) return undefined;
          result.version = Number(match[1]);
          state = 'section';
          break;
        }
        case 'section': {
          const match = SECTION.exec(line);
          const name = match?.[1];
          if (name === undefined || name in result) return undefined;
          section = [];
          result[name] = section;
          pendingComma = false;
          if (match?.[2] === undefined) state = 'records';
          else state = after(match[2]);
          break;
        }
        case 'records': {
          if (line === '],' || line === ']}') {
            if (pendingComma) return undefined;
            state = after(line[1]);
            break;
          }
          if (section.length > 0 && !pendingComma) return undefined;
          pendingComma = line.endsWith(',');
          const record: unknown = JSON.parse(pendingComma ? line.slice(0, -1) : line);
          if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
          section.push(record);
          break;
        }
        case 'end':
          if (line.trim() !== '') return undefined;
          break;
        default: {
          const unreachable: never = state;
          return unreachable;
        }
      }
    }
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  } finally {
    lines.close();
  }
  return state === 'end' ? result : undefined;
}
