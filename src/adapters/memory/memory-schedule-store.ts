import type { ScheduleCredentials, ScheduleStore } from '../../core/ports.js';
import type { Schedule } from '../../core/schedule/schedule.js';

/**
 * The ScheduleStore port in memory: `update`s run one after the other on the schedules as the previous one left
 * them; one whose change throws keeps nothing. What it hands out are copies. There is no credentials file unless
 * one is given (tests of `schedule install`).
 */
export class MemoryScheduleStore implements ScheduleStore {
  private schedules: readonly Schedule[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: { readonly credentials?: ScheduleCredentials } = {}) {}

  async list(): Promise<Schedule[]> {
    return structuredClone([...this.schedules]);
  }

  update<T>(change: (schedules: Schedule[]) => { readonly schedules: readonly Schedule[]; readonly result: T }): Promise<T> {
    const next = this.queue.then(() => {
      const { schedules, result } = change(structuredClone([...this.schedules]));
      this.schedules = structuredClone([...schedules]);
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async credentials(): Promise<ScheduleCredentials | undefined> {
    return this.options.credentials;
  }

  credentialsPath(): string {
    return this.options.credentials?.path ?? 'memory:schedule.env';
  }
}
