// PLACEHOLDER until its implementation lands: every method throws.
import type { ScheduleStore } from '../../core/ports.js';
import type { Sql } from './database.js';

export const PgScheduleStore = class {
  constructor() {
    return new Proxy(this, { get: (_t, name) => (name === 'then' ? undefined : () => { throw new Error(`PgScheduleStore.${String(name)}: not written yet`); }) });
  }
} as unknown as new (sql: Sql, home: string) => ScheduleStore;
