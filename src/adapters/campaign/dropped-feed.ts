import { join } from 'node:path';
import { appendDurably, LineFeed } from '../fs/line-feed.js';

/**
 * `<campaign>/dropped.jsonl`: positions of the frozen list that must not be sent any more, one `{"i":N}` line each,
 * appended by `forget` (the person was erased while the campaign could still send). Positions only, never who.
 */
export const droppedFile = (dir: string): string => join(dir, 'dropped.jsonl');

/** How often a running send looks for new lines: a forget reaches it within this. */
const POLL_MS = 500;

/** Appends positions to the campaign's dropped list, on disk before it returns. */
export function appendDropped(dir: string, positions: Iterable<number>): Promise<void> {
  return appendDurably(droppedFile(dir), [...positions].map((i) => `{"i":${i}}\n`).join(''));
}

/** What a running send knows of its dropped list: all of it from the start, then what is appended, until closed. */
export class DroppedWatch {
  readonly positions = new Set<number>();

  private constructor(private feed?: LineFeed) {}

  static async start(dir: string, everyMs = POLL_MS): Promise<DroppedWatch> {
    const watch = new DroppedWatch();
    watch.feed = await LineFeed.start(droppedFile(dir), 0, (line) => {
      const i = /^\{"i":(\d+)\}$/.exec(line)?.[1];
      if (i !== undefined) watch.positions.add(Number(i));
    }, everyMs);
    return watch;
  }

  close(): Promise<void> {
    return this.feed?.close() ?? Promise.resolve();
  }
}
