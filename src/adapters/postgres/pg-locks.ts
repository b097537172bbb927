// PLACEHOLDER until its implementation lands: every method throws.
import type { Locks } from '../../core/ports.js';
import type { LockOwner } from '../fs/lock-holder.js';
import type { Sql } from './database.js';

export const PgLocks = class {
  constructor() {
    return new Proxy(this, { get: (_t, name) => (name === 'then' ? undefined : () => { throw new Error(`PgLocks.${String(name)}: not written yet`); }) });
  }
} as unknown as new (sql: Sql, options?: { readonly owner?: LockOwner }) => Locks;
