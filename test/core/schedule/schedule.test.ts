import { describe, expect, it } from 'vitest';
import { dueAt, fired, RUNS_KEPT, type Schedule } from '../../../src/core/schedule/schedule.js';

const base: Schedule = {
  id: 'sch_1',
  status: 'active',
  message: { source: 'carta.md', topics: ['cantieri'], body: 'x' },
  query: { topics: ['cantieri'], where: [], channel: 'preferred' },
  send: { concurrency: 20, urgent: false, split: false, allowFreeText: false },
  timezone: 'Europe/Rome',
  createdAt: '2026-11-01T00:00:00.000Z',
  runs: [],
};
const once = { ...base, at: '2026-12-01T06:30:00.000Z', next: '2026-12-01T06:30:00.000Z' };
const weekly = { ...base, every: '0 7 * * 1', next: '2026-10-19T05:00:00.000Z' }; // Monday 07:00 CEST

describe('when a schedule is due', () => {
  it('a one-shot schedule is due from its time on, then done', () => {
    expect(dueAt(once, new Date('2026-12-01T06:29:59Z'))).toEqual({ due: false });
    const due = dueAt(once, new Date('2026-12-01T06:30:00Z'));
    expect(due).toEqual({ due: true, slot: once.next, missed: 0, after: { status: 'done' } });
    const after = fired(once, due as Extract<typeof due, { due: true }>, 'cmp_1', new Date('2026-12-01T06:30:20Z'));
    expect(after).toMatchObject({ status: 'done', runs: [{ slot: once.next, campaign: 'cmp_1', firedAt: '2026-12-01T06:30:20.000Z' }] });
    expect(after.next).toBeUndefined();
    expect(dueAt(after, new Date('2026-12-02T00:00:00Z'))).toEqual({ due: false });
  });

  it('cancelled or done schedules are never due', () => {
    expect(dueAt({ ...once, status: 'cancelled' }, new Date('2027-01-01T00:00:00Z'))).toEqual({ due: false });
    expect(dueAt({ ...once, status: 'done' }, new Date('2027-01-01T00:00:00Z'))).toEqual({ due: false });
  });

  it('a recurring schedule moves to the first slot after now, across the October change at the same local hour', () => {
    const due = dueAt(weekly, new Date('2026-10-19T05:00:10Z'));
    expect(due).toEqual({ due: true, slot: weekly.next, missed: 0, after: { status: 'active', next: '2026-10-26T06:00:00.000Z' } }); // 07:00 CET
  });

  it('after the machine was off, it is due once, counts the missed slots, and skips to the next one', () => {
    const due = dueAt(weekly, new Date('2026-11-10T12:00:00Z'));
    // slots of 19 Oct (the one it waited for), then 26 Oct, 2 Nov and 9 Nov passed
    expect(due).toEqual({ due: true, slot: weekly.next, missed: 3, after: { status: 'active', next: '2026-11-16T06:00:00.000Z' } });
    const after = fired(weekly, due as Extract<typeof due, { due: true }>, 'cmp_2', new Date('2026-11-10T12:00:00Z'));
    expect(after.runs).toEqual([{ slot: weekly.next, campaign: 'cmp_2', firedAt: '2026-11-10T12:00:00.000Z', missed: 3 }]);
    expect(dueAt(after, new Date('2026-11-10T12:01:00Z'))).toEqual({ due: false });
  });

  it('across the March change a daily 07:00 stays at 07:00 local, one slot a day', () => {
    let schedule: Schedule = { ...base, every: '0 7 * * *', next: '2026-03-28T06:00:00.000Z' };
    const slots: string[] = [];
    for (let t = Date.parse('2026-03-28T00:00:00Z'); t < Date.parse('2026-03-31T12:00:00Z'); t += 10 * 60_000) {
      const due = dueAt(schedule, new Date(t));
      if (!due.due) continue;
      slots.push(due.slot);
      schedule = fired(schedule, due, `cmp_${slots.length}`, new Date(t));
    }
    expect(slots).toEqual(['2026-03-28T06:00:00.000Z', '2026-03-29T05:00:00.000Z', '2026-03-30T05:00:00.000Z', '2026-03-31T05:00:00.000Z']);
  });

  it('keeps the latest runs only', () => {
    let schedule: Schedule = { ...base, every: '0 7 * * *', next: '2026-01-01T06:00:00.000Z' };
    for (let day = 0; day < RUNS_KEPT + 5; day++) {
      const due = dueAt(schedule, new Date(Date.parse('2026-01-01T06:00:30Z') + day * 86_400_000));
      if (due.due) schedule = fired(schedule, due, `cmp_${day}`, new Date());
    }
    expect(schedule.runs).toHaveLength(RUNS_KEPT);
    expect(schedule.runs.at(-1)?.campaign).toBe(`cmp_${RUNS_KEPT + 4}`);
  });
});
