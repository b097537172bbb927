import { CanaleError } from '../../core/errors.js';
import type { ScheduleCredentials, ScheduleStore } from '../../core/ports.js';
import type { Schedule } from '../../core/schedule/schedule.js';
import { HomeScheduleStore } from '../schedule/home-schedule-store.js';
import type { Sql } from './database.js';

/** How long an update waits for another machine's (the JSON store's lock waits as long). */
const LOCK_WAIT_MS = 20_000;

/**
 * The ScheduleStore port in PostgreSQL (schema/schedules.ts): the schedules in `canale_schedules`, one row each in
 * their order. `update` locks the table against other writers (readers go on), reads the schedules as they are
 * then, and writes what the change returns, all in one transaction: serialised across machines, kept whole or not
 * at all. The credentials file stays the home's `schedule.env` (cron and systemd load it on the machine that runs
 * `schedule run`), as HomeScheduleStore keeps it.
 */
export class PgScheduleStore implements ScheduleStore {
  private readonly files: HomeScheduleStore;

  constructor(
    private readonly sql: Sql,
    home: string,
    private readonly options: { readonly lockWaitMs?: number } = {},
  ) {
    this.files = new HomeScheduleStore(home);
  }

  async list(): Promise<Schedule[]> {
    const rows = await this.sql<{ schedule: Schedule }[]>`select schedule from canale_schedules order by position`;
    return rows.map((r) => r.schedule);
  }

  async update<T>(change: (schedules: Schedule[]) => { readonly schedules: readonly Schedule[]; readonly result: T }): Promise<T> {
    try {
      return (await this.sql.begin(async (tx) => {
        await tx`select set_config('lock_timeout', ${`${this.options.lockWaitMs ?? LOCK_WAIT_MS}ms`}, true)`;
        await tx`lock table canale_schedules in exclusive mode`;
        const rows = await tx<{ schedule: Schedule }[]>`select schedule from canale_schedules order by position`;
        const { schedules, result } = change(rows.map((r) => r.schedule));
        await tx`delete from canale_schedules`;
        if (schedules.length > 0) {
          await tx`
            insert into canale_schedules (id, position, schedule)
            select s.id, s.position - 1, s.schedule::json
            from unnest(${schedules.map((s) => s.id)}::text[], ${schedules.map((s) => JSON.stringify(s))}::text[]) with ordinality as s(id, schedule, position)`;
        }
        return { result };
      })).result as T;
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') {
        throw new CanaleError('BUSY', 'another canale is changing the schedules (table canale_schedules) — nothing was done; try again in a moment', { exit: 'busy' });
      }
      throw error;
    }
  }

  credentials(): Promise<ScheduleCredentials | undefined> {
    return this.files.credentials();
  }

  credentialsPath(): string {
    return this.files.credentialsPath();
  }
}
