import { createReadStream } from 'node:fs';
import { access, open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { SkipReason } from '../../core/audience.js';
import type { DeliveryJournal } from '../../core/dispatch/deliver.js';
import { applyRecord, emptyReplay, type JournalRecord, type JournalReplay } from '../../core/dispatch/journal-state.js';
import type { Clock } from '../../core/ports.js';
import type { DeliveryFailure } from '../../core/transport.js';
import { PRIVATE_FILE_MODE } from '../fs/atomic-file.js';

/**
 * A campaign's journal: JSON lines appended to one file (mode 0600). Records are buffered and written together;
 * a write that carries in-flight records is flushed to disk (fdatasync) before those recipients' requests may
 * leave, so many recipients share one disk flush (group commit) and a `kill -9` can never lose one.
 */
export class JournalFile implements DeliveryJournal {
  private buffer: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private writing: Promise<void> | undefined;
  private failure: unknown;

  private constructor(
    private readonly handle: FileHandle,
    private readonly clock: Clock,
  ) {}

  static async open(path: string, clock: Clock): Promise<JournalFile> {
    return new JournalFile(await open(path, 'a', PRIVATE_FILE_MODE), clock);
  }

  inFlight(index: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.buffer.push(`{"i":${index},"s":"in-flight"}\n`);
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  sent(index: number, providerMessageId: string): void {
    this.push({ i: index, s: 'sent', id: providerMessageId, at: this.at() });
  }

  failed(index: number, failure: DeliveryFailure): void {
    this.push({ i: index, s: 'failed', code: failure.code, kind: failure.kind, reason: failure.reason, ...(failure.detail === undefined ? {} : { detail: failure.detail }), at: this.at() });
  }

  skipped(index: number, reason: SkipReason): void {
    this.push({ i: index, s: 'skipped', reason });
  }

  released(index: number): void {
    this.push({ i: index, s: 'released' });
  }

  /** Writes whatever is buffered and waits for the disk. */
  async flush(): Promise<void> {
    this.kick();
    while (this.writing !== undefined) await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.close();
  }

  private at(): string {
    return this.clock.now().toISOString();
  }

  private push(record: JournalRecord): void {
    this.buffer.push(`${JSON.stringify(record)}\n`);
    if (this.buffer.length >= 256) this.kick();
  }

  private kick(): void {
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
      if (this.buffer.length > 0 && this.waiters.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const lines = this.buffer.join('');
      const waiters = this.waiters;
      this.buffer = [];
      this.waiters = [];
      try {
        await this.handle.write(lines);
        if (waiters.length > 0) await this.handle.datasync();
        waiters.forEach((w) => w.resolve());
      } catch (error) {
        this.failure = error;
        waiters.forEach((w) => w.reject(error));
        return;
      }
    }
  }
}

/**
 * Replays a journal into each recipient's state. A last line cut short by a crash is ignored; any other line that
 * is not a record is too, since the journal is canale's own and a resume must not stop on one bad byte.
 */
export async function replayJournal(path: string, size: number): Promise<JournalReplay> {
  const replay = emptyReplay(size);
  try {
    await access(path);
  } catch {
    return replay;
  }
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (line === '') continue;
    try {
      applyRecord(replay, JSON.parse(line) as JournalRecord);
    } catch {
      // a torn last line from a crash mid-write
    }
  }
  return replay;
}
