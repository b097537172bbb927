import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../src/core/schedule/schedule.js';
import { THIS_PROCESS, type MakePorts } from './ports-under-test.js';

/** A weekly schedule of cantieri, as the schedule stores keep them (also the import-home tests'). */
export const aSchedule = (id: string, overrides: Partial<Schedule> = {}): Schedule => ({
  id,
  status: 'active',
  message: { source: 'carta.md', topics: ['cantieri'], body: 'Lavori in via Roma' },
  query: { topics: ['cantieri'], where: [], channel: 'preferred' },
  send: { concurrency: 20, urgent: false, split: false, allowFreeText: false },
  every: '0 7 * * 1',
  next: '2026-12-07T06:00:00.000Z',
  timezone: 'Europe/Rome',
  createdAt: '2026-11-28T09:00:00.000Z',
  runs: [],
  ...overrides,
});

const adding = (schedule: Schedule) => (schedules: Schedule[]) => ({ schedules: [...schedules, schedule], result: schedules.length });

/** The ScheduleStore contract (DESIGN §5): updates serialised and kept whole, or not at all. */
export function describeScheduleStoreContract(name: string, make: MakePorts): void {
  describe(`the ScheduleStore contract: ${name}`, () => {
    it('starts with no schedules; an update keeps what it returns and gives back its result', async () => {
      const { ports } = await make(THIS_PROCESS);
      expect(await ports.schedules.list()).toEqual([]);
      expect(await ports.schedules.update(adding(aSchedule('sch_1')))).toBe(0);
      const fired = { slot: '2026-12-07T06:00:00.000Z', campaign: 'cmp_1', firedAt: '2026-12-07T06:00:20.000Z' };
      await ports.schedules.update((schedules) => ({ schedules: schedules.map((s) => ({ ...s, runs: [...s.runs, fired], next: '2026-12-14T06:00:00.000Z' })), result: undefined }));
      expect(await ports.schedules.list()).toEqual([aSchedule('sch_1', { runs: [fired], next: '2026-12-14T06:00:00.000Z' })]);
    });

    it('serialises updates: two at once both see what the other kept', async () => {
      const { ports } = await make(THIS_PROCESS);
      const results = await Promise.all([ports.schedules.update(adding(aSchedule('sch_1'))), ports.schedules.update(adding(aSchedule('sch_2'))), ports.schedules.update(adding(aSchedule('sch_3')))]);
      expect(results.sort()).toEqual([0, 1, 2]);
      expect((await ports.schedules.list()).map((s) => s.id).sort()).toEqual(['sch_1', 'sch_2', 'sch_3']);
    });

    it('keeps nothing of an update whose change throws, and the next update goes on', async () => {
      const { ports } = await make(THIS_PROCESS);
      await ports.schedules.update(adding(aSchedule('sch_1')));
      const failing = ports.schedules.update((schedules) => {
        schedules.splice(0);
        throw new Error('refused');
      });
      const next = ports.schedules.update(adding(aSchedule('sch_2')));
      await expect(failing).rejects.toThrow('refused');
      expect(await next).toBe(1);
      expect((await ports.schedules.list()).map((s) => s.id)).toEqual(['sch_1', 'sch_2']);
    });

    it('hands out copies: changing what list returned changes nothing kept', async () => {
      const { ports } = await make(THIS_PROCESS);
      await ports.schedules.update(adding(aSchedule('sch_1')));
      const [listed] = (await ports.schedules.list()) as unknown as [{ status: string; runs: unknown[] }];
      listed.status = 'cancelled';
      listed.runs.push({ slot: 'x' });
      expect(await ports.schedules.list()).toEqual([aSchedule('sch_1')]);
    });

    it('has no credentials file until one is written, and says where it would be', async () => {
      const { ports } = await make(THIS_PROCESS);
      expect(await ports.schedules.credentials()).toBeUndefined();
      expect(ports.schedules.credentialsPath()).toMatch(/schedule\.env$/);
    });
  });
}
