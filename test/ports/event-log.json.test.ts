import { appendFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { THIS_PROCESS, usePortImplementations } from './ports-under-test.js';

/** What only the inbox file can be in: an entry a crash cut short, a restart that reads what a killed server wrote. */
const { json } = usePortImplementations();
const AT = '2026-11-28T09:00:00.000Z';

describe('the JSON event log, beyond the contract', () => {
  it('does not read an entry torn by a crash; the next one starts a line of its own once the tear is ended', async () => {
    const { events } = (await json(THIS_PROCESS)).ports;
    await events.record(AT, { n: 1 });
    await appendFile(events.whereIs(), '{"at":"2026-11-28T09:00:00.000Z","payl');
    const read = await events.readFrom(0);
    expect(read.lines.map((l) => JSON.parse(l.text) as unknown)).toEqual([{ at: AT, payload: { n: 1 } }]);
    expect(read.size).toBeGreaterThan(read.end);
    expect(await events.countFrom(read.end)).toBe(0);
  });

  it('is read whole, cursor and all, by the next server on the same home (a restart)', async () => {
    const under = await json(THIS_PROCESS);
    await under.ports.events.record(AT, { n: 1 });
    await under.ports.events.saveCursor({ offset: 10, lines: 1, waiting: [], waitingReceipts: 0, batches: 1, storeWrites: 0 });
    await under.ports.events.close();
    const restarted = under.as(THIS_PROCESS).events;
    expect((await restarted.readFrom(0)).lines).toHaveLength(1);
    expect((await restarted.cursor()).offset).toBe(10);
  });
});
