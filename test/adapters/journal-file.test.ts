import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalFile, replayJournal } from '../../src/adapters/journal/journal-file.js';
import { remainingAfter, STATE } from '../../src/core/dispatch/journal-state.js';
import { FakeClock } from '../support/fake-deps.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-journal-'));
  path = join(dir, 'journal.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('JournalFile', () => {
  it('has each in-flight record on disk before inFlight resolves, in one write for concurrent callers', async () => {
    const journal = await JournalFile.open(path, new FakeClock());
    await Promise.all([0, 1, 2].map((i) => journal.inFlight(i)));
    expect(await readFile(path, 'utf8')).toBe('{"i":0,"s":"in-flight"}\n{"i":1,"s":"in-flight"}\n{"i":2,"s":"in-flight"}\n');
    journal.sent(0, 'wamid.A');
    journal.failed(1, { kind: 'recipient', code: 'WHATSAPP_NOT_ON_WHATSAPP', reason: 'not on WhatsApp' });
    await journal.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const replay = await replayJournal(path, 4);
    expect([...replay.states]).toEqual([STATE.sent, STATE.failed, STATE.unknown, STATE.pending]);
    expect(replay.providerIds.get(0)).toBe('wamid.A');
  });

  it('ignores a line torn by a crash', async () => {
    await appendFile(path, '{"i":0,"s":"in-flight"}\n{"i":0,"s":"sent","id":"w","at":"2026-11-28T09:00:00.000Z"}\n{"i":1,"s":"in-fl');
    expect([...(await replayJournal(path, 2)).states]).toEqual([STATE.sent, STATE.pending]);
  });

  it('replays a missing journal as everyone pending', async () => {
    expect([...(await replayJournal(join(dir, 'none.jsonl'), 3)).states]).toEqual([0, 0, 0]);
  });
});

describe('resuming from every journal state', () => {
  const at = '2026-11-28T09:00:00.000Z';
  const lines = [
    { i: 1, s: 'in-flight' },
    { i: 2, s: 'in-flight' },
    { i: 2, s: 'sent', id: 'w2', at },
    { i: 3, s: 'in-flight' },
    { i: 3, s: 'failed', code: 'WHATSAPP_UNDELIVERABLE', kind: 'recipient', reason: 'not on WhatsApp', at },
    { i: 4, s: 'in-flight' },
    { i: 4, s: 'failed', code: 'HTTP_503', kind: 'transient', reason: 'r', at },
    { i: 5, s: 'skipped', reason: 'opted-out' },
    { i: 6, s: 'in-flight' },
    { i: 6, s: 'released' },
    { i: 7, s: 'in-flight' },
    { i: 7, s: 'sent', id: 'w7', at },
    { i: 7, s: 'read', at },
    { i: 7, s: 'delivered', at },
    { i: 8, s: 'in-flight' },
    { i: 8, s: 'failed', code: 'WHATSAPP_OUTSIDE_WINDOW', kind: 'recipient', reason: 'free text outside the 24 hours', at },
  ];

  it.each([
    [{ resendUnknown: false, retryFailed: false }, [0, 6]],
    [{ resendUnknown: true, retryFailed: false }, [0, 1, 6]],
    [{ resendUnknown: false, retryFailed: true }, [0, 4, 6, 8]],
    [{ resendUnknown: true, retryFailed: true }, [0, 1, 4, 6, 8]],
  ])('%j → %j, and never the sent, read, skipped or finally failed (not on WhatsApp)', async (options, expected) => {
    await appendFile(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    const replay = await replayJournal(path, 9);
    expect([...replay.states]).toEqual([STATE.pending, STATE.unknown, STATE.sent, STATE.failed, STATE.failed, STATE.skipped, STATE.pending, STATE.read, STATE.failed]);
    expect(remainingAfter(replay, options)).toEqual(expected);
  });
});
