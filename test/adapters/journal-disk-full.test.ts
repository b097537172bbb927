import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { campaignsHolder } from '../../src/adapters/campaign/campaign-erasure.js';
import { homePaths } from '../../src/adapters/home.js';
import { JournalFile, replayJournal, type JournalSink, type SpaceReserve } from '../../src/adapters/journal/journal-file.js';
import { DEFAULT_RETRY_POLICY } from '../../src/core/dispatch/backoff.js';
import { deliver, type WorkItem } from '../../src/core/dispatch/deliver.js';
import { remainingAfter, STATE } from '../../src/core/dispatch/journal-state.js';
import { RateWindow } from '../../src/core/dispatch/rate-window.js';
import type { Envelope } from '../../src/core/transport.js';
import { aSubscriber } from '../support/builders.js';
import { FakeClock } from '../support/fake-deps.js';
import { FakeScheduler } from '../support/fake-scheduler.js';
import { FakeTransport } from '../support/fake-transport.js';

/**
 * A disk with `free` bytes left for the journal and `reserve` more held by its reserve file: a write past the free
 * space is cut short (as write(2) does when the disk fills) and the next one fails with ENOSPC, as on Linux.
 */
class FillingDisk implements JournalSink {
  bytes = Buffer.alloc(0);
  writes = 0;

  constructor(
    private free: number,
    private reserve = 0,
  ) {}

  async write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }> {
    this.writes++;
    if (this.free <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const n = Math.min(length, this.free);
    this.free -= n;
    this.bytes = Buffer.concat([this.bytes, buffer.subarray(offset, offset + n)]);
    return { bytesWritten: n };
  }

  async datasync(): Promise<void> {}
  async close(): Promise<void> {}

  readonly reserveFile: SpaceReserve = {
    release: async () => {
      if (this.reserve === 0) return false;
      this.free += this.reserve;
      this.reserve = 0;
      return true;
    },
  };

  get text(): string {
    return this.bytes.toString('utf8');
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-journal-full-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PATH = '/home/comune/campaigns/cmp_x/journal.jsonl';

/** What a resume would read from what reached the disk. */
async function replayOf(disk: FillingDisk, size: number) {
  const file = join(dir, 'journal.jsonl');
  await writeFile(file, disk.bytes);
  return replayJournal(file, size);
}

describe('JournalFile on a disk that fills up', () => {
  it('never takes a short write for success: the in-flight records it carried are refused and released, whole lines after', async () => {
    // room for the first record and half of the second; the reserve holds enough for the recovery
    const disk = new FillingDisk(24 + 10, 4096);
    const journal = new JournalFile(disk, PATH, new FakeClock(), disk.reserveFile);
    await journal.inFlight(0);
    const refused = await Promise.allSettled([journal.inFlight(1), journal.inFlight(2)]);
    expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const error = (refused[0] as PromiseRejectedResult).reason as { code: string; message: string };
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toBe(`the disk holding ${PATH} is full: free space`);
    // the request already out comes back and is still recorded; nobody new is taken
    journal.sent(0, 'wamid.0');
    await expect(journal.inFlight(3)).rejects.toMatchObject({ code: 'DISK_FULL' });
    await journal.close();
    const lines = disk.text.split('\n');
    expect(lines[0]).toBe('{"i":0,"s":"in-flight"}');
    // the torn part stays alone on its line: nothing is glued to it
    expect(lines[1]).toBe('{"i":1,"s"');
    expect(disk.text).not.toContain('"i":3');
    const replay = await replayOf(disk, 4);
    expect([...replay.states]).toEqual([STATE.sent, STATE.pending, STATE.pending, STATE.pending]);
  });

  it('writes nothing more once even the recovery fails (no reserve), and flush says so', async () => {
    const disk = new FillingDisk(30);
    const journal = new JournalFile(disk, PATH, new FakeClock(), disk.reserveFile);
    await expect(journal.inFlight(0)).resolves.toBeUndefined();
    await expect(journal.inFlight(1)).rejects.toMatchObject({ code: 'DISK_FULL' });
    const writes = disk.writes;
    journal.sent(0, 'wamid.0');
    await expect(journal.close()).rejects.toMatchObject({ code: 'DISK_FULL', message: `the disk holding ${PATH} is full: free space and run the same command again` });
    expect(disk.writes).toBe(writes);
    // the recipient whose request left stays in flight (unknown), never taken for not sent; the refused one,
    // whose record is torn, was never sent and is pending
    expect([...(await replayOf(disk, 2)).states]).toEqual([STATE.unknown, STATE.pending]);
  });

  it('on opening a journal that a crash cut mid-line, starts the next record on a line of its own', async () => {
    const file = join(dir, 'journal.jsonl');
    await writeFile(file, '{"i":0,"s":"in-flight"}\n{"i":0,"s":"se');
    const journal = await JournalFile.open(file, new FakeClock());
    await journal.inFlight(1);
    await journal.close();
    expect(await readFile(file, 'utf8')).toBe('{"i":0,"s":"in-flight"}\n{"i":0,"s":"se\n{"i":1,"s":"in-flight"}\n');
    expect([...(await replayJournal(file, 2)).states]).toEqual([STATE.unknown, STATE.unknown]);
  });

  it('gives its reserve back when closed, and opening on a full disk is the plain disk error', async () => {
    const file = join(dir, 'journal.jsonl');
    const journal = await JournalFile.open(file, new FakeClock());
    expect((await readFile(join(dir, '.journal.jsonl.reserve'))).length).toBe(1 << 20);
    await journal.close();
    await expect(readFile(join(dir, '.journal.jsonl.reserve'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('a journal a full disk left with a torn line', () => {
  it('is still scrubbed by forget, in place: the torn part (maybe of the person\'s record) becomes blanks, the records keep their outcome', async () => {
    const campaign = join(dir, 'campaigns', 'cmp_x');
    await mkdir(campaign, { recursive: true });
    const maria = aSubscriber({ email: 'maria@example.it' as never });
    await writeFile(join(campaign, 'recipients.jsonl'), `["${maria.id}","email"]\n`);
    const at = '2026-11-28T09:00:00.000Z';
    await writeFile(join(campaign, 'journal.jsonl'), `{"i":0,"s":"in-flight"}\n{"i":0,"s":"failed","code":"SMTP_550","kind":"recipient","reason":"r","detail":"550 maria@exa\n{"i":0,"s":"failed","code":"SMTP_550","kind":"recipient","reason":"r","detail":"550 maria@example.it unknown","at":"${at}"}\n`);
    await campaignsHolder.erase(maria, homePaths(dir));
    const journal = await readFile(join(campaign, 'journal.jsonl'), 'utf8');
    expect(journal).not.toContain('maria@');
    const torn = '{"i":0,"s":"failed","code":"SMTP_550","kind":"recipient","reason":"r","detail":"550 maria@exa';
    const detail = '*'.repeat('550 maria@example.it unknown'.length);
    expect(journal).toBe(`{"i":0,"s":"in-flight"}\n${' '.repeat(torn.length)}\n{"i":0,"s":"failed","code":"SMTP_550","kind":"recipient","reason":"r","detail":"${detail}","at":"${at}"}\n`);
    const replay = await replayJournal(join(campaign, 'journal.jsonl'), 1);
    expect(replay.failures.get(0)).toEqual({ code: 'SMTP_550', kind: 'recipient', reason: 'r' });
  });
});

describe('a send whose journal fills the disk', () => {
  function envelope(item: WorkItem): Envelope {
    return { channel: 'whatsapp', to: '+393331234567' as never, recipientKey: String(item.index), content: { kind: 'text', body: 'x' } };
  }

  it.each([200, 1000, 2500, 4000])('stops resumable after %i bytes, and a resume reaches exactly who was not reached', async (free) => {
    const scheduler = new FakeScheduler();
    const disk = new FillingDisk(free, 64 << 10);
    const journal = new JournalFile(disk, PATH, scheduler, disk.reserveFile);
    const transport = new FakeTransport('whatsapp', scheduler, scheduler);
    const items: WorkItem[] = Array.from({ length: 300 }, (_, index) => ({ index, channel: 'whatsapp' }));
    const outcome = await scheduler.run(
      deliver({
        items,
        envelopeFor: envelope,
        transports: { whatsapp: transport },
        limiters: { whatsapp: new RateWindow(1000, scheduler, scheduler) },
        concurrency: 8,
        policy: DEFAULT_RETRY_POLICY,
        journal,
        clock: scheduler,
        sleeper: scheduler,
        random: () => 0.5,
        stop: new AbortController().signal,
      }),
    );
    await journal.close();
    expect(outcome).toMatchObject({ status: 'stopped', failure: { kind: 'fatal', code: 'DISK_FULL' }, reason: `the disk holding ${PATH} is full: free space` });
    const reached = new Set(transport.calls.map((c) => Number(c.key)));
    expect(reached.size).toBe(transport.calls.length);
    expect(reached.size).toBeLessThan(300);
    const replay = await replayOf(disk, 300);
    // everyone whose request left is on disk as sent; nobody is unknown; a resume takes exactly the others
    expect([...reached].every((i) => replay.states[i] === STATE.sent)).toBe(true);
    expect(replay.states.filter((s) => s === STATE.unknown)).toHaveLength(0);
    const remaining = remainingAfter(replay, { resendUnknown: false, retryFailed: false });
    expect(remaining.filter((i) => reached.has(i))).toEqual([]);
    expect(remaining.length + reached.size).toBe(300);
  });
});
