import type { ScheduleCredentials, ScheduleStore } from '../../core/ports.js';
import type { Schedule } from '../../core/schedule/schedule.js';
import { readScheduleEnv, scheduleEnvPath } from './schedule-env-file.js';
import { readSchedules, updateSchedules } from './schedule-store.js';

/** The ScheduleStore port over `schedules.json` (validated, rewritten atomically under its lock) and `schedule.env`. */
export class HomeScheduleStore implements ScheduleStore {
  constructor(private readonly home: string) {}

  list(): Promise<Schedule[]> {
    return readSchedules(this.home);
  }

  update<T>(change: (schedules: Schedule[]) => { readonly schedules: readonly Schedule[]; readonly result: T }): Promise<T> {
    return updateSchedules(this.home, change);
  }

  credentials(): Promise<ScheduleCredentials | undefined> {
    return readScheduleEnv(this.home);
  }

  credentialsPath(): string {
    return scheduleEnvPath(this.home);
  }
}
