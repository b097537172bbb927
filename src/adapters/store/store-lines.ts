import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Reads db.json in the layout canale writes — a header line, one record per line — without ever holding the
 * whole file as one string: a million-subscriber store costs its records' memory, not twice the file's size.
 * Returns undefined when the file is laid out any other way (edited by hand, pretty-printed, damaged); the
 * caller then parses it whole, which also gives the exact position of a syntax error.
 */
export async function readStoreLines(path: string): Promise<unknown> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  const result: Record<string, unknown> = {};
  let state: 'header' | 'section' | 'records' | 'end' = 'header';
  let section: unknown[] = [];
  let sections = 0;
  let pendingComma = false;
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
          const match = /^"(topics|subscribers)":\[(\]?)(,|\})?$/.exec(line);
          const name = sections === 0 ? 'topics' : 'subscribers';
          if (match === null || match[1] !== name || sections > 1) return undefined;
          section = [];
          result[name] = section;
          sections++;
          if (match[2] === ']') {
            if (match[3] !== (sections === 2 ? '}' : ',')) return undefined;
            state = sections === 2 ? 'end' : 'section';
          } else {
            if (match[3] !== undefined) return undefined;
            state = 'records';
          }
          pendingComma = false;
          break;
        }
        case 'records': {
          const closing = sections === 2 ? ']}' : '],';
          if (line === closing) {
            if (pendingComma) return undefined;
            state = sections === 2 ? 'end' : 'section';
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
