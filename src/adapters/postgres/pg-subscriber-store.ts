// PLACEHOLDER until its implementation lands: every method throws.
import type { SubscriberStore } from '../../core/ports.js';
import type { Sql } from './database.js';

export const PgSubscriberStore = class {
  constructor() {
    return new Proxy(this, { get: (_t, name) => (name === 'then' ? undefined : () => { throw new Error(`PgSubscriberStore.${String(name)}: not written yet`); }) });
  }
} as unknown as new (sql: Sql) => SubscriberStore;
