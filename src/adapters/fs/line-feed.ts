import { open, stat } from 'node:fs/promises';
import { PRIVATE_FILE_MODE } from './atomic-file.js';
import { asDiskError } from './disk-errors.js';

/** Appends whole lines to a small shared file (O_APPEND: writers never overwrite each other), on disk before it returns. */
export async function appendDurably(path: string, lines: string): Promise<void> {
  if (lines === '') return;
  try {
    const handle = await open(path, 'a', PRIVATE_FILE_MODE);
    try {
      await handle.write(lines);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw asDiskError(error, path);
  }
}

/** The size of a file now, 0 when it does not exist: where a reader that starts now begins. */
export async function sizeOf(path: string): Promise<number> {
  return stat(path).then((s) => s.size, () => 0);
}

/**
 * Follows a file of lines that others append to: what is there from `from` is read at start, then every `everyMs`
 * (a stat; a read only when the file grew) each new whole line goes to `onLine`, until closed. A running send uses
 * it for what reaches it while it runs (opt-outs, people forgotten).
 */
export class LineFeed {
  private remainder = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reading: Promise<void> = Promise.resolve();
  private isClosed = false;

  private constructor(
    private readonly path: string,
    private offset: number,
    private readonly onLine: (line: string) => void,
  ) {}

  static async start(path: string, from: number, onLine: (line: string) => void, everyMs: number): Promise<LineFeed> {
    const feed = new LineFeed(path, from, onLine);
    await feed.read();
    feed.schedule(everyMs);
    return feed;
  }

  /** Stops following, after one last read. */
  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.timer);
    await this.reading;
    await this.read().catch(() => undefined);
  }

  private schedule(everyMs: number): void {
    if (this.isClosed) return;
    this.timer = setTimeout(() => {
      this.reading = this.read()
        .catch(() => undefined)
        .finally(() => this.schedule(everyMs));
    }, everyMs);
    this.timer.unref();
  }

  private async read(): Promise<void> {
    const size = await sizeOf(this.path);
    if (size <= this.offset) return;
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      const lines = (this.remainder + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      this.remainder = lines.pop() ?? '';
      for (const line of lines) if (line !== '') this.onLine(line);
    } finally {
      await handle.close();
    }
  }
}
