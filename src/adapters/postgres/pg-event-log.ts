// PLACEHOLDER until its implementation lands: every method throws.
import type { EventLog } from '../../core/ports.js';
import type { Sql } from './database.js';

export const PgEventLog = class {
  constructor() {
    return new Proxy(this, { get: (_t, name) => (name === 'then' ? undefined : () => { throw new Error(`PgEventLog.${String(name)}: not written yet`); }) });
  }
} as unknown as new (sql: Sql) => EventLog;
