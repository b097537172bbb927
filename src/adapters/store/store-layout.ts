import { closeSync, openSync, readSync } from 'node:fs';
import { STORE_VERSION, type StoreData } from '../../core/store-data.js';
import type { WritePosition } from '../fs/atomic-file.js';
import { identityOfFd } from './change-log.js';
import type { StoreLayoutMarks } from './store-index.js';

const CHUNK = 1 << 20;

/**
 * Every line of an open file with the byte offset it starts at, read synchronously 1 MiB at a time (a transaction's
 * pass over everyone runs inside its synchronous work). `visit` returns false to stop.
 */
export function forEachLineSync(fd: number, from: number, visit: (line: string, offset: number) => boolean | void): void {
  const chunk = Buffer.alloc(CHUNK);
  let carry = Buffer.alloc(0);
  let carryAt = from;
  for (let at = from; ; ) {
    const read = readSync(fd, chunk, 0, CHUNK, at);
    if (read === 0) break;
    at += read;
    const bytes = carry.length === 0 ? chunk.subarray(0, read) : Buffer.concat([carry, chunk.subarray(0, read)]);
    let start = 0;
    for (let end = bytes.indexOf(0x0a); end !== -1; end = bytes.indexOf(0x0a, start)) {
      if (visit(bytes.toString('utf8', start, end), carryAt + start) === false) return;
      start = end + 1;
    }
    carry = Buffer.from(bytes.subarray(start));
    carryAt += start;
  }
  if (carry.length > 0) visit(carry.toString('utf8'), carryAt);
}

/** A subscriber line of db.json (`{…},` or `{…}`), parsed; undefined when it is not one record. */
export function parseRecordLine(line: string): Record<string, unknown> | undefined {
  const text = line.endsWith(',') ? line.slice(0, -1) : line;
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  try {
    const record = JSON.parse(text) as unknown;
    return record !== null && typeof record === 'object' && !Array.isArray(record) ? (record as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The subscriber lines of db.json in canale's layout (see serializeStore), each with its offset, and where the
 * templates section starts — or undefined when the file is not in that layout (a hand edit): it is then rewritten.
 */
export function readLayoutSync(db: string, onSubscriber: (record: Record<string, unknown>, offset: number) => void): { readonly marks: StoreLayoutMarks; readonly base: string } | undefined {
  const fd = openSync(db, 'r');
  try {
    const base = identityOfFd(fd);
    const marks = scanLayoutSync(fd, onSubscriber);
    return marks === undefined ? undefined : { marks, base };
  } finally {
    closeSync(fd);
  }
}

/** The pass of readLayoutSync over an open db.json: its marks, or undefined when it is not in canale's layout. */
export function scanLayoutSync(fd: number, onSubscriber: (record: Record<string, unknown>, offset: number) => void): StoreLayoutMarks | undefined {
  {
    const marks: StoreLayoutMarks = { offsets: [], templatesAt: -1 };
    let state: 'before' | 'subscribers' | 'after' = 'before';
    let isLayout = true;
    forEachLineSync(fd, 0, (line, offset) => {
      if (offset === 0 && line !== `{"version":${STORE_VERSION},`) {
        // an older db.json is migrated by a rewrite, never indexed as it is
        isLayout = false;
        return false;
      }
      if (state === 'before') {
        if (line === '"subscribers":[') state = 'subscribers';
        else if (line.startsWith('"subscribers":[]')) state = 'after';
      } else if (state === 'subscribers') {
        if (line.startsWith(']')) {
          state = 'after';
          return;
        }
        const record = parseRecordLine(line);
        if (record === undefined || typeof record.id !== 'string') {
          isLayout = false;
          return false;
        }
        marks.offsets.push(offset);
        onSubscriber(record, offset);
      } else if (line.startsWith('"templates":[')) marks.templatesAt = offset;
      return true;
    });
    return isLayout && (state as string) === 'after' && marks.templatesAt >= 0 ? marks : undefined;
  }
}

/**
 * `{"version":1,⏎"topics":[⏎{…},⏎{…}⏎],⏎"subscribers":[⏎{…}⏎]}`, yielded in pieces; `marks` learns where each
 * subscriber's line and the templates start: from `position` (the writer's count of the bytes of the pieces before,
 * when it gives one), else by measuring each piece.
 */
export function* serializeMarked(data: StoreData, sections: readonly (keyof StoreData)[], marks?: StoreLayoutMarks, position?: WritePosition): Generator<string> {
  let measured = 0;
  const put = (text: string): string => {
    if (marks !== undefined && position === undefined) measured += Buffer.byteLength(text);
    return text;
  };
  const at = (): number => position?.bytes ?? measured;
  yield put(`{"version":${JSON.stringify(data.version)}`);
  for (const [n, name] of sections.entries()) {
    if (marks !== undefined && name === 'templates') marks.templatesAt = at() + 2;
    yield put(`,\n"${name}":[`);
    const items = data[name] as readonly unknown[];
    for (let i = 0; i < items.length; i++) {
      if (marks !== undefined && name === 'subscribers') marks.offsets.push(at() + (i === 0 ? 1 : 2));
      yield put(`${i === 0 ? '\n' : ',\n'}${JSON.stringify(items[i])}`);
    }
    if (items.length > 0) yield put('\n');
    yield put(n === sections.length - 1 ? ']}\n' : ']');
  }
}
