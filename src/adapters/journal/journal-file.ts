import { createReadStream } from 'node:fs';
import { access, open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DeliveryJournal } from '../../core/dispatch/deliver.js';
import { applyRecord, emptyReplay, type JournalRecord, type JournalReplay } from '../../core/dispatch/journal-state.js';
import type { Clock } from '../../core/ports.js';
import { PRIVATE_FILE_MODE } from '../fs/atomic-file.js';
import { asDiskError } from '../fs/disk-errors.js';
import { OutcomeRecords } from './journal-records.js';

/** The file operations the journal needs: a real file handle, or in tests one that fails after so many bytes. */
export interface JournalSink {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/** Space set aside while a send runs, given back when the disk fills so the send's last records still fit. */
export interface SpaceReserve {
  /** Frees the space; false if it was freed before (or never held). */
  release(): Promise<boolean>;
}

/** Enough for a stopped send's last records (a few hundred lines) and the campaign record saved after them. */
export const JOURNAL_RESERVE_BYTES = 1 << 20;

const IN_FLIGHT_END = ',"s":"in-flight"}\n';

type Waiter = { readonly index: number; readonly resolve: () => void; readonly reject: (e: unknown) => void };

/**
 * A campaign's journal: JSON lines appended to one file (mode 0600). Records are buffered and written together;
 * a write that carries in-flight records is flushed to disk (fdatasync) before those recipients' requests may
 * leave, so many recipients share one disk flush (group commit) and a `kill -9` can never lose one.
 *
 * A write that fails or comes up short (a full disk) is never taken for success (DESIGN §7.2): the in-flight
 * records it carried are refused (those requests never leave), the journal frees its reserve, ends the torn line
 * and writes the batch again with a `released` record for each of them, and from then on refuses every new
 * in-flight record while still writing what the requests already out come back with. If even that cannot be
 * written the journal writes nothing more, so no line is ever glued to a torn one.
 */
export class JournalFile extends OutcomeRecords implements DeliveryJournal {
  private buffer: string[] = [];
  private waiters: Waiter[] = [];
  private writing: Promise<void> | undefined;
  /** Why the journal takes no new in-flight record: the first write that failed, naming the journal. */
  private failure: unknown;
  /** Nothing more may be written: even the recovery write failed. */
  private isBroken = false;

  constructor(
    private readonly sink: JournalSink,
    private readonly path: string,
    clock: Clock,
    private readonly reserve: SpaceReserve = { release: async () => false },
  ) {
    super(clock);
  }

  static async open(path: string, clock: Clock): Promise<JournalFile> {
    try {
      const handle = await open(path, 'a+', PRIVATE_FILE_MODE);
      try {
        await endTornLine(handle);
        return new JournalFile(handle, path, clock, await fileReserve(join(dirname(path), `.${basename(path)}.reserve`)));
      } catch (error) {
        await handle.close();
        throw error;
      }
    } catch (error) {
      throw asDiskError(error, path);
    }
  }

  inFlight(index: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.buffer.push(`{"i":${index}${IN_FLIGHT_END}`);
      this.waiters.push({ index, resolve, reject });
      this.kick();
    });
  }

  /** Writes whatever is buffered and waits for the disk; throws if some record could not be written. */
  async flush(): Promise<void> {
    // a record pushed while the last write was ending (right after its inFlight resolved) is in no write yet: the
    // ending write takes none up, so flush writes again until nothing is left
    do {
      this.kick();
      while (this.writing !== undefined) await this.writing;
    } while (this.buffer.length > 0 && !this.isBroken);
    if (this.isBroken) throw asDiskError((this.failure as Error).cause ?? this.failure, this.path);
  }

  /** Flushes, closes the file and gives the reserve back, whatever happened. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.sink.close();
      await this.reserve.release();
    }
  }

  protected push(record: JournalRecord): void {
    if (this.isBroken) return;
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
    while (this.buffer.length > 0 && !this.isBroken) {
      if (this.failure !== undefined && this.waiters.length > 0) {
        // in-flight records queued while the failing write was out: never written, so those recipients stay pending
        this.buffer = this.buffer.filter((line) => !line.endsWith(IN_FLIGHT_END));
        this.waiters.splice(0).forEach((w) => w.reject(this.failure));
        continue;
      }
      const lines = this.buffer.join('');
      const waiters = this.waiters;
      this.buffer = [];
      this.waiters = [];
      try {
        await this.writeAll(lines);
        if (waiters.length > 0) await this.sink.datasync();
        waiters.forEach((w) => w.resolve());
      } catch (error) {
        // what the refused recipients' send is told; the send adds how to resume it
        this.failure ??= asDiskError(error, this.path, '');
        waiters.forEach((w) => w.reject(this.failure));
        await this.recover(lines, waiters);
      }
    }
    if (this.isBroken) {
      this.buffer = [];
      this.waiters.splice(0).forEach((w) => w.reject(this.failure));
    }
  }

  /**
   * After a failed write: part of `lines` may be on disk. A newline ends that part (replay skips a line that is
   * not a record), then the whole batch again, each refused in-flight recipient released (their request never left).
   */
  private async recover(lines: string, refused: readonly Waiter[]): Promise<void> {
    const again = `\n${lines}${refused.map((w) => `{"i":${w.index},"s":"released"}\n`).join('')}`;
    try {
      if (!(await this.reserve.release())) throw this.failure;
      await this.writeAll(again);
      await this.sink.datasync();
    } catch {
      this.isBroken = true;
    }
  }

  /** A write may come up short when the disk fills: the rest is written, or the next write's error is thrown. */
  private async writeAll(text: string): Promise<void> {
    const bytes = Buffer.from(text);
    for (let done = 0; done < bytes.length; ) done += (await this.sink.write(bytes, done, bytes.length - done)).bytesWritten;
  }
}

/** A journal cut off by a crash mid-line gets its newline first, so the next record starts a line of its own. */
async function endTornLine(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat();
  if (size === 0) return;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] !== 0x0a) await handle.write('\n');
}

/** Holds `bytes` of the disk in a file of zeros beside the journal; releasing removes it. */
async function fileReserve(path: string, bytes = JOURNAL_RESERVE_BYTES): Promise<SpaceReserve> {
  try {
    await writeFile(path, Buffer.alloc(bytes), { mode: PRIVATE_FILE_MODE });
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  let held = true;
  return {
    async release() {
      if (!held) return false;
      held = false;
      await rm(path, { force: true });
      return true;
    },
  };
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
