import type { FailureStreaks } from '../../core/ports.js';
import type { Sql } from './database.js';

/**
 * The failure streaks in `canale_failure_streaks`: each note one statement, so two processes noting at once both
 * count (a failure adds one to the row as it is when the statement runs; a delivery removes it).
 */
export class PgFailureStreaks implements FailureStreaks {
  constructor(private readonly sql: Sql) {}

  async note(subscriberId: string, undeliverable: boolean): Promise<number> {
    if (!undeliverable) {
      await this.sql`delete from canale_failure_streaks where subscriber_id = ${subscriberId}`;
      return 0;
    }
    const [row] = await this.sql<{ failures: number }[]>`
      insert into canale_failure_streaks (subscriber_id, failures) values (${subscriberId}, 1)
      on conflict (subscriber_id) do update set failures = canale_failure_streaks.failures + 1
      returning failures`;
    return row?.failures ?? 1;
  }
}
