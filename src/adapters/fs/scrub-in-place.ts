import { open, type FileHandle } from 'node:fs/promises';
import { asDiskError } from './disk-errors.js';

/**
 * Scrubs one line (without its newline) where it lies, and says whether it changed a byte. `hasNeedle`: the line
 * holds the bytes of one of the needles; `index`: the line's number among the file's non-empty lines, from 0.
 */
export type LineScrub = (line: Uint8Array, hasNeedle: boolean, index: number) => boolean;

const CHUNK = 1 << 20;
/** Lines appended while a pass ran are read by the next one; what arrives after the last came after the erasure. */
const PASSES = 3;

/**
 * Erases in a file of JSON lines that other processes append to (the webhook server's event log, a running send's
 * journal) without ever replacing it: each line is read, scrubbed in a copy, and only the bytes that changed are
 * written back at their place (same length, always well-formed: core/erasure/blank-string.ts), so no appended line
 * can be lost and no reader sees a torn one. Then the lines appended meanwhile are scrubbed too. A missing file is
 * nothing to do. Returns whether the file changed.
 */
export async function scrubFileInPlace(path: string, needles: readonly Uint8Array[], scrub: LineScrub): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw asDiskError(error, path);
  }
  try {
    const state = { offset: 0, index: 0, changed: false, buffer: Buffer.allocUnsafe(CHUNK), scratch: Buffer.allocUnsafe(4096) };
    for (let pass = 0; pass < PASSES; pass++) {
      const { size } = await handle.stat();
      if (size <= state.offset) break;
      await scrubUpTo(handle, size, needles, scrub, state);
    }
    if (state.changed) await handle.datasync();
    return state.changed;
  } catch (error) {
    throw asDiskError(error, path);
  } finally {
    await handle.close();
  }
}

interface ScrubState {
  offset: number;
  index: number;
  changed: boolean;
  buffer: Buffer;
  scratch: Buffer;
}

/** Scrubs the whole lines between the state's offset and `size`; a last line still being written waits for the next pass. */
async function scrubUpTo(handle: FileHandle, size: number, needles: readonly Uint8Array[], scrub: LineScrub, state: ScrubState): Promise<void> {
  while (state.offset < size) {
    const want = Math.min(state.buffer.length, size - state.offset);
    const { bytesRead } = await handle.read(state.buffer, 0, want, state.offset);
    if (bytesRead === 0) return;
    const chunk = state.buffer.subarray(0, bytesRead);
    const lastNewline = chunk.lastIndexOf(0x0a);
    if (lastNewline < 0) {
      if (state.offset + bytesRead >= size) return;
      // a line longer than the buffer: read it whole
      state.buffer = Buffer.allocUnsafe(state.buffer.length * 2);
      continue;
    }
    await scrubLines(handle, chunk.subarray(0, lastNewline + 1), needles, scrub, state);
    state.offset += lastNewline + 1;
  }
}

async function scrubLines(handle: FileHandle, lines: Buffer, needles: readonly Uint8Array[], scrub: LineScrub, state: ScrubState): Promise<void> {
  // where each needle is next found: one native search per hit, not one per line
  const nextHit = needles.map((n) => lines.indexOf(n));
  for (let start = 0; start < lines.length; ) {
    const end = lines.indexOf(0x0a, start);
    if (end > start) {
      let hasNeedle = false;
      for (let k = 0; k < needles.length; k++) {
        let hit = nextHit[k] as number;
        if (hit >= 0 && hit < start) nextHit[k] = hit = lines.indexOf(needles[k] as Uint8Array, start);
        hasNeedle ||= hit >= 0 && hit < end;
      }
      const line = lines.subarray(start, end);
      if (state.scratch.length < line.length) state.scratch = Buffer.allocUnsafe(line.length * 2);
      line.copy(state.scratch);
      if (scrub(line, hasNeedle, state.index)) {
        await writeChanges(handle, line, state.scratch, state.offset + start);
        state.changed = true;
      }
      state.index++;
    }
    start = end + 1;
  }
}

/** Writes back only the runs of bytes that differ from what was read: a concurrent erasure's bytes elsewhere in the line stay. */
async function writeChanges(handle: FileHandle, line: Buffer, before: Buffer, position: number): Promise<void> {
  for (let k = 0; k < line.length; ) {
    if (line[k] === before[k]) {
      k++;
      continue;
    }
    let run = k;
    while (run < line.length && line[run] !== before[run]) run++;
    await handle.write(line, k, run - k, position + k);
    k = run;
  }
}
