import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../fs/atomic-file.js';
import { asDiskError } from '../fs/disk-errors.js';

/**
 * `<campaign>/dropped.jsonl`: positions of the frozen list that must not be sent any more, one `{"i":N}` line each,
 * appended by `forget` (the person was erased while the campaign could still send). Positions only, never who.
 */
export const droppedFile = (dir: string): string => join(dir, 'dropped.jsonl');

/** How often a running send looks for new lines: a forget reaches it within this. */
const POLL_MS = 500;

/** Appends positions to the campaign's dropped list, on disk before it returns. */
export async function appendDropped(dir: string, positions: Iterable<number>): Promise<void> {
  const text = [...positions].map((i) => `{"i":${i}}\n`).join('');
  if (text === '') return;
  const path = droppedFile(dir);
  try {
    const handle = await open(path, 'a', PRIVATE_FILE_MODE);
    try {
      await handle.write(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw asDiskError(error, path);
  }
}

/**
 * What a running send knows of its dropped list: read whole when the send starts, then the lines appended since,
 * every half second (a stat, and a read only when it grew), until closed.
 */
export class DroppedWatch {
  readonly positions = new Set<number>();
  private offset = 0;
  private remainder = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reading: Promise<void> = Promise.resolve();
  private isClosed = false;

  private constructor(private readonly path: string) {}

  static async start(dir: string, everyMs = POLL_MS): Promise<DroppedWatch> {
    const watch = new DroppedWatch(droppedFile(dir));
    await watch.read();
    watch.schedule(everyMs);
    return watch;
  }

  /** Stops watching, after one last read. */
  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.timer);
    await this.reading;
    await this.read();
  }

  private schedule(everyMs: number): void {
    if (this.isClosed) return;
    this.timer = setTimeout(() => {
      this.reading = this.read().catch(() => undefined).finally(() => this.schedule(everyMs));
    }, everyMs);
    this.timer.unref();
  }

  private async read(): Promise<void> {
    const size = await stat(this.path).then((s) => s.size, () => 0);
    if (size <= this.offset) return;
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      const lines = (this.remainder + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      this.remainder = lines.pop() ?? '';
      for (const line of lines) {
        const i = /^\{"i":(\d+)\}$/.exec(line)?.[1];
        if (i !== undefined) this.positions.add(Number(i));
      }
    } finally {
      await handle.close();
    }
  }
}
