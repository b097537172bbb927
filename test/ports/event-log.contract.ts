import { describe, expect, it, vi } from 'vitest';
import type { E164 } from '../../src/core/phone.js';
import type { Email } from '../../src/core/email.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import { aSubscriber } from '../support/builders.js';
import { THIS_PROCESS, type MakePorts } from './ports-under-test.js';

const AT = '2026-11-28T09:00:00.000Z';
const anna = aSubscriber({ id: 'sub_anna' as SubscriberId, name: 'Anna Rossi', phone: '+393331234567' as E164, email: 'anna.rossi@example.it' as Email });
const bruno = aSubscriber({ id: 'sub_bruno' as SubscriberId, name: 'Bruno Bianchi', phone: '+393337654321' as E164, email: 'bruno@example.it' as Email });

/** A citizen's STOP as Meta posts it: their number, profile name and words. */
const stopFrom = (person: typeof anna) => ({
  object: 'whatsapp_business_account',
  entry: [{ changes: [{ value: { contacts: [{ profile: { name: person.name }, wa_id: person.phone?.slice(1) }], messages: [{ from: person.phone?.slice(1), id: `wamid.${person.id}`, type: 'text', text: { body: 'STOP' } }] } }] }],
});

/** The EventLog contract (DESIGN §5, §7): the inbox read back from any cursor, the opt-out feed followed, erasure. */
export function describeEventLogContract(name: string, make: MakePorts): void {
  describe(`the EventLog contract: ${name}`, () => {
    it('reads entries back in the order recorded, from the start or from any position it gave', async () => {
      const { events } = (await make(THIS_PROCESS)).ports;
      let woken = 0;
      events.onRecorded(() => woken++);
      expect(await events.size()).toBe(0);
      await events.record(AT, stopFrom(anna));
      await events.recordPage(AT, { unsubscribe: { subscriberId: 'sub_bruno', topic: 'cantieri', source: 'email:one-click' } });
      await events.record(AT, { n: 3 });
      expect(woken).toBe(3);
      const all = await events.readFrom(0);
      expect(all.lines.map((l) => JSON.parse(l.text) as unknown)).toEqual([
        { at: AT, payload: stopFrom(anna) },
        { at: AT, unsubscribe: { sub: 'sub_bruno', topic: 'cantieri', source: 'email:one-click' } },
        { at: AT, payload: { n: 3 } },
      ]);
      const offsets = all.lines.map((l) => l.offset);
      expect(offsets[0]).toBe(0);
      expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
      expect(all.end).toBe(await events.size());
      expect(all.size).toBe(all.end);
      const second = offsets[1] as number;
      expect((await events.readFrom(second)).lines.map((l) => l.offset)).toEqual(offsets.slice(1));
      expect(await events.readFrom(all.end)).toEqual({ lines: [], end: all.end, size: all.end });
      expect(await events.lineAt(second)).toBe(all.lines[1]?.text);
      expect(await events.countFrom(0)).toBe(3);
      expect(await events.countFrom(second)).toBe(2);
      expect(await events.countFrom(all.end)).toBe(0);
    });

    it('keeps every one of many appends made at once, each read back once', async () => {
      const { events } = (await make(THIS_PROCESS)).ports;
      await Promise.all(Array.from({ length: 40 }, (_, n) => events.record(AT, { n })));
      const { lines } = await events.readFrom(0);
      expect(lines.map((l) => (JSON.parse(l.text) as { payload: { n: number } }).payload.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, n) => n));
      expect(await events.countFrom(0)).toBe(40);
    });

    it('reads at most about maxBytes at once, ending where the last whole entry read ends', async () => {
      const { events } = (await make(THIS_PROCESS)).ports;
      for (let n = 0; n < 4; n++) await events.record(AT, { n, pad: 'x'.repeat(100) });
      const { lines } = await events.readFrom(0);
      const firstTwo = (lines[2]?.offset as number) - 1;
      const part = await events.readFrom(0, firstTwo + 10);
      expect(part.lines.map((l) => l.offset)).toEqual(lines.slice(0, 2).map((l) => l.offset));
      expect(part.end).toBe(lines[2]?.offset);
      expect((await events.readFrom(part.end)).lines).toHaveLength(2);
    });

    it('keeps the cursor it is given, starting from the beginning', async () => {
      const { events } = (await make(THIS_PROCESS)).ports;
      expect(await events.cursor()).toEqual({ offset: 0, lines: 0, waiting: [], waitingReceipts: 0, batches: 0, storeWrites: 0 });
      const cursor = { offset: 120, lines: 2, waiting: [0], waitingReceipts: 1, batches: 1, storeWrites: 1 };
      await events.saveCursor(cursor);
      expect(await events.cursor()).toEqual(cursor);
    });

    it("keeps the cursor's answers to citizens per day, for webhook status's reply traffic", async () => {
      const { events } = (await make(THIS_PROCESS)).ports;
      const cursor = { offset: 120, lines: 2, waiting: [], waitingReceipts: 0, batches: 2, storeWrites: 1, replies: { '2026-12-03': 4, '2026-12-04': 17 } };
      await events.saveCursor(cursor);
      expect(await events.cursor()).toEqual(cursor);
      await events.saveCursor({ ...cursor, replies: { '2026-12-04': 18 } });
      expect((await events.cursor()).replies).toEqual({ '2026-12-04': 18 });
    });

    it('has every watch see the opt-outs appended after its mark — by id, number, user id or e-mail, all or a topic or marketing', async () => {
      const { events } = (await make(THIS_PROCESS)).ports;
      await events.appendOptOuts([{ subscriberId: 'sub_before', at: AT }]);
      const mark = await events.optOutMark();
      await events.appendOptOuts([
        { phone: '+393331234567', at: AT },
        { email: 'Bruno@Example.it', topic: 'cantieri', at: AT },
        { userId: 'IT.123', isMarketingOnly: true, at: AT },
      ]);
      const watch = await events.watchOptOuts(mark);
      expect(watch.hasLeft({ id: 'sub_before' as SubscriberId }, ['cantieri'])).toBe(false);
      expect(watch.hasLeft(anna, ['cantieri'])).toBe(true);
      expect(watch.hasLeft(bruno, ['cantieri'])).toBe(true);
      expect(watch.hasLeft(bruno, ['cantieri', 'eventi'])).toBe(false);
      const userOnly = { id: 'sub_u' as SubscriberId, whatsappUserId: 'IT.123' };
      expect(watch.hasLeft(userOnly, ['cantieri'], false)).toBe(false);
      expect(watch.hasLeft(userOnly, ['cantieri'], true)).toBe(true);
      await events.appendOptOuts([{ subscriberId: 'sub_later', at: AT }]);
      // within a second (the JSON feed is read every half second)
      await vi.waitFor(() => expect(watch.hasLeft({ id: 'sub_later' as SubscriberId }, [])).toBe(true), { timeout: 2000, interval: 20 });
      await watch.close();
      const fromStart = await events.watchOptOuts(0);
      expect(fromStart.hasLeft({ id: 'sub_before' as SubscriberId }, [])).toBe(true);
      await fromStart.close();
    });

    it('records a payload with its opt-outs, both durable: many at once, beside opt-outs appended alone, each read back once', async () => {
      const { events } = (await make(THIS_PROCESS)).ports;
      events.onRecorded(() => undefined);
      const mark = await events.optOutMark();
      const watch = await events.watchOptOuts(mark);
      await events.record(AT, stopFrom(anna), [{ phone: anna.phone as string, at: AT }]);
      await Promise.all([
        ...Array.from({ length: 30 }, (_, n) => events.record(AT, { n }, n % 3 === 0 ? [{ subscriberId: `sub_r${n}`, at: AT }] : [])),
        ...Array.from({ length: 10 }, (_, n) => events.appendOptOuts([{ subscriberId: `sub_a${n}`, at: AT }])),
      ]);
      const { lines } = await events.readFrom(0);
      expect(lines).toHaveLength(31);
      expect(JSON.parse(lines[0]?.text as string)).toEqual({ at: AT, payload: stopFrom(anna) });
      expect(lines.slice(1).map((l) => (JSON.parse(l.text) as { payload: { n: number } }).payload.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, n) => n));
      // a watch started before sees them at once or within a second; one started after, from the same mark, at once
      await vi.waitFor(() => expect(watch.hasLeft({ id: 'sub_r27' as SubscriberId }, [])).toBe(true), { timeout: 2000, interval: 20 });
      await watch.close();
      const later = await events.watchOptOuts(mark);
      expect(later.hasLeft(anna, ['cantieri'])).toBe(true);
      for (let n = 0; n < 30; n += 3) expect(later.hasLeft({ id: `sub_r${n}` as SubscriberId }, [])).toBe(true);
      for (let n = 0; n < 10; n++) expect(later.hasLeft({ id: `sub_a${n}` as SubscriberId }, [])).toBe(true);
      expect(later.hasLeft({ id: 'sub_r1' as SubscriberId }, [])).toBe(false);
      await later.close();
    });

    it('counts failure streaks per subscriber, across restarts, and clears them on a delivery', async () => {
      const { events } = (await make(THIS_PROCESS)).ports;
      const streaks = await events.streaks();
      expect(await streaks.note('sub_anna', true)).toBe(1);
      expect(await streaks.note('sub_anna', true)).toBe(2);
      expect(await (await events.streaks()).note('sub_anna', true)).toBe(3);
      expect(await streaks.note('sub_anna', false)).toBe(0);
      expect(await streaks.note('sub_anna', true)).toBe(1);
    });

    it('erases a person from the inbox, the opt-out feed and the streaks, keeping every position and everyone else', async () => {
      const { events } = (await make(THIS_PROCESS)).ports;
      await events.record(AT, stopFrom(anna));
      await events.record(AT, stopFrom(bruno));
      await events.recordPage(AT, { unsubscribe: { subscriberId: anna.id, source: 'email:link' } });
      await events.recordPage(AT, { preferences: { subscriberId: anna.id, topics: ['scuola'], source: 'email:preferences' } });
      await events.appendOptOuts([{ phone: anna.phone as string, at: AT }, { subscriberId: anna.id, topic: 'cantieri', at: AT }, { subscriberId: bruno.id, at: AT }]);
      await (await events.streaks()).note(anna.id, true);
      const before = await events.readFrom(0);
      expect(await events.erase(anna)).toBe(3);
      const after = await events.readFrom(0);
      expect(after.lines.map((l) => l.offset)).toEqual(before.lines.map((l) => l.offset));
      expect(after.end).toBe(before.end);
      const text = after.lines.map((l) => l.text).join('\n');
      for (const trace of ['393331234567', 'Anna Rossi', 'sub_anna']) expect(text).not.toContain(trace);
      expect(after.lines[1]?.text).toBe(before.lines[1]?.text);
      const watch = await events.watchOptOuts(0);
      expect(watch.hasLeft(anna, ['cantieri'])).toBe(false);
      expect(watch.hasLeft(bruno, ['cantieri'])).toBe(true);
      await watch.close();
      expect(await (await events.streaks()).note(anna.id, true)).toBe(1);
      expect(await events.erase(anna)).toBe(1); // the streak just counted
      expect(events.whereIs()).not.toBe('');
      await events.close();
    });
  });
}
