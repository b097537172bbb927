import type { Schedule } from '../schedule/schedule.js';
import type { ScheduleEnv } from '../schedule/schedule-env.js';

/** The credentials file `schedule run` is started with (cron, systemd), as they will read it. */
export type ScheduleCredentials = ScheduleEnv & { readonly path: string; readonly mode: number };

/**
 * The schedules (DESIGN §5): small, read every minute by `schedule run` without reading any subscriber. `update` runs
 * `change` on the schedules as they are now, serialised across processes, and keeps its result atomically.
 */
export interface ScheduleStore {
  list(): Promise<Schedule[]>;
  update<T>(change: (schedules: Schedule[]) => { readonly schedules: readonly Schedule[]; readonly result: T }): Promise<T>;
  /** The credentials file for `schedule run`, or undefined when there is none. */
  credentials(): Promise<ScheduleCredentials | undefined>;
  /** Where the credentials file is (or would be). */
  credentialsPath(): string;
}
