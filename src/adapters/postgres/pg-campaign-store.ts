// PLACEHOLDER until its implementation lands: every method throws.
import type { CampaignStore, Clock, Locks } from '../../core/ports.js';
import type { Sql } from './database.js';

export const PgCampaignStore = class {
  constructor() {
    return new Proxy(this, { get: (_t, name) => (name === 'then' ? undefined : () => { throw new Error(`PgCampaignStore.${String(name)}: not written yet`); }) });
  }
} as unknown as new (sql: Sql, options: { readonly clock: Clock; readonly locks: Locks }) => CampaignStore;
