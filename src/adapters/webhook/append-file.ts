import { open, stat, type FileHandle } from 'node:fs/promises';
import { PRIVATE_FILE_MODE } from '../fs/atomic-file.js';
import { asDiskError } from '../fs/disk-errors.js';

/** How often the path is checked for a replaced file: a stat per batch cost a fifth of a busy server's time. */
const INODE_CHECK_MS = 100;
/** Flushes of one file that may be waiting on the disk at once; the file system commits them together. */
const MAX_FLUSHES = 4;

/**
 * A file that only grows, shared with other processes (a running `canale send` appends to the same journal):
 * opened O_APPEND, whole lines only, every batch of lines in one write() followed by an fdatasync — callers that
 * arrive while a batch is being written share the next one (group commit), and the next batch is written while
 * the previous one's flush still waits on a busy disk, so a slow fdatasync adds latency, not a queue. `forget`
 * erases in place and never replaces the file (scrub-in-place.ts); should something else replace it (a person, a
 * restore), a batch first checks the inode (at most every `inodeCheckMs`) and reopens.
 */
export class AppendFile {
  private handle: FileHandle | undefined;
  private inode = -1;
  private checkedAt = -Infinity;
  private pending: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private isWriting = false;
  private flushes = 0;
  private readonly busy = new Set<Promise<void>>();
  private readonly retired: FileHandle[] = [];
  /** A write failed part-way: the file may end in a torn line. */
  private isTorn = false;

  constructor(
    readonly path: string,
    private readonly inodeCheckMs = INODE_CHECK_MS,
  ) {}

  /** Resolves once `lines` (each ending in `\n`) are on disk. */
  append(lines: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push(lines);
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  async close(): Promise<void> {
    while (this.busy.size > 0) await Promise.allSettled([...this.busy]);
    await Promise.all([...this.retired.splice(0), ...(this.handle === undefined ? [] : [this.handle])].map((h) => h.close()));
    this.handle = undefined;
  }

  private kick(): void {
    if (this.isWriting || this.flushes >= MAX_FLUSHES || this.pending.length === 0) return;
    const text = this.pending.join('');
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    this.isWriting = true;
    const work = this.writeAndFlush(text, waiters).finally(() => {
      this.busy.delete(work);
      this.kick();
    });
    this.busy.add(work);
  }

  private async writeAndFlush(text: string, waiters: ReadonlyArray<{ resolve: () => void; reject: (e: unknown) => void }>): Promise<void> {
    let flushing = false;
    try {
      const handle = await this.current();
      // after a write the disk cut short, a newline first: the torn part stays a line of its own, never glued
      const bytes = Buffer.from(this.isTorn ? `\n${text}` : text);
      this.isTorn = true;
      for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
      this.isTorn = false;
      // the next batch may be written now: its own fdatasync will cover it
      this.isWriting = false;
      this.flushes++;
      flushing = true;
      this.kick();
      await handle.datasync();
      waiters.forEach((w) => w.resolve());
    } catch (error) {
      const named = asDiskError(error, this.path);
      waiters.forEach((w) => w.reject(named));
    } finally {
      this.isWriting &&= flushing;
      if (flushing) this.flushes--;
    }
  }

  private async current(): Promise<FileHandle> {
    const now = performance.now();
    if (this.handle !== undefined && now - this.checkedAt < this.inodeCheckMs) return this.handle;
    this.checkedAt = now;
    const onDisk = await stat(this.path).then((s) => s.ino, () => -2);
    if (this.handle === undefined || onDisk !== this.inode) {
      // the old handle may still have a flush waiting on it: it is closed with the file
      if (this.handle !== undefined) this.retired.push(this.handle);
      this.handle = await open(this.path, 'a', PRIVATE_FILE_MODE);
      this.inode = (await this.handle.stat()).ino;
    }
    return this.handle;
  }
}
