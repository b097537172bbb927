import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import postgres from 'postgres';
import type { Campaign } from '../../core/campaign.js';
import type { LockRecord, LockRequest, Locks } from '../../core/ports.js';
import { sendBusyError, withRunningStatus } from '../campaign/send-lock.js';
import type { LockOwner } from '../fs/lock-holder.js';
import type { Sql } from './database.js';

const SEND_LOCK = 'sending';

interface LockRow {
  readonly holder: LockRecord;
  readonly held: boolean;
}

/** The parts of a holder row canale wrote: a row edited by hand reads as no holder rather than a crash. */
function recordOf(json: unknown): LockRecord {
  if (typeof json !== 'object' || json === null) return {};
  const { campaign, startedAt, pid, host } = json as Record<string, unknown>;
  return {
    ...(typeof campaign === 'string' ? { campaign } : {}),
    ...(typeof startedAt === 'string' ? { startedAt } : {}),
    ...(typeof pid === 'number' ? { pid } : {}),
    ...(typeof host === 'string' ? { host } : {}),
  };
}

/**
 * The Locks port in PostgreSQL (DESIGN §7): one holder per database — so one send at a time per city, whichever
 * machine it runs on. A lock is a session advisory lock taken on a connection of its own, kept for the work's life and
 * released in `finally`; `canale_locks` says who holds it (campaign, pid, host, since). A holder killed with -9 or
 * a machine that lost power loses its session, and PostgreSQL frees the lock at once: its row, left behind, is a
 * dead holder's and the next taker overwrites it. Whether a holder lives is asked of the server (`pg_locks`, which
 * sees every machine's sessions), never guessed from the row — except that a row this machine's process wrote, for
 * a process that still runs here, is never taken over (its connection may have dropped while it still works; the
 * home's locks and the memory ones keep the same rule).
 */
export class PgLocks implements Locks {
  private readonly owner: LockOwner | undefined;
  private readonly host = hostname();

  constructor(
    private readonly sql: Sql,
    options: { readonly owner?: LockOwner } = {},
  ) {
    this.owner = options.owner;
  }

  withSendLock<T>(request: LockRequest & { readonly campaign: string }, work: () => Promise<T>): Promise<T> {
    return this.withLock(SEND_LOCK, request, work, sendBusyError);
  }

  async withLock<T>(name: string, request: LockRequest, work: () => Promise<T>, busy: (holder: LockRecord) => Error): Promise<T> {
    const session = this.lockSession();
    try {
      const [taken] = await session<{ ok: boolean }[]>`select pg_try_advisory_lock(canale_lock_key(${name})) as ok`;
      if (taken?.ok !== true) throw busy((await this.rowOf(name))?.holder ?? {});
      // no other session can write the row now: what is there is a dead holder's, unless it lives on this machine
      const [left] = await session<{ holder: unknown }[]>`select holder from canale_locks where name = ${name}`;
      if (left !== undefined && this.isAliveHere(recordOf(left.holder))) throw busy(recordOf(left.holder));
      const token = randomUUID();
      const holder: LockRecord = {
        ...(request.campaign === undefined ? {} : { campaign: request.campaign }),
        ...(request.startedAt === undefined ? {} : { startedAt: request.startedAt }),
        ...(this.owner === undefined ? {} : { pid: this.owner.pid }),
        host: this.host,
      };
      await session`insert into canale_locks (name, holder, token) values (${name}, ${session.json({ ...holder })}, ${token})
        on conflict (name) do update set holder = excluded.holder, token = excluded.token, taken_at = now()`;
      try {
        return await work();
      } finally {
        // a holder whose session dropped and whose lock was taken over never removes its successor's row
        await this.sql`delete from canale_locks where name = ${name} and token = ${token}`.catch(() => undefined);
      }
    } finally {
      // ending the session releases its lock, and cannot fail when the session is already gone
      await session.end({ timeout: 5 }).catch(() => undefined);
    }
  }

  async sendingNow(): Promise<string | undefined> {
    const row = await this.rowOf(SEND_LOCK);
    return row !== undefined && (row.held || this.isAliveHere(row.holder)) ? row.holder.campaign : undefined;
  }

  async sendLockRecord(): Promise<string | undefined> {
    const campaign = (await this.rowOf(SEND_LOCK))?.holder.campaign;
    return campaign?.startsWith('cmp_') === true ? campaign : undefined;
  }

  async withLiveStatus(campaigns: readonly Campaign[]): Promise<Campaign[]> {
    if (!campaigns.some((c) => c.status === 'sending')) return [...campaigns];
    return withRunningStatus(campaigns, await this.sendingNow());
  }

  /**
   * A connection of its own for one lock, kept open for the work's life and ended after it (not `sql.reserve()`: in
   * the driver, 3.4.9, a query on a reserved connection whose session the server ended throws out of a timer and
   * takes the process down — porsager/postgres#1208). Never closed for being idle or old.
   */
  private lockSession(): Sql {
    return postgres({ ...this.sql.options, max: 1, idle_timeout: null, max_lifetime: null } as unknown as postgres.Options<Record<string, postgres.PostgresType>>);
  }

  /** The lock's row, and whether some session (of any machine) holds its advisory lock now. */
  private async rowOf(name: string): Promise<LockRow | undefined> {
    const [row] = await this.sql<{ holder: unknown; held: boolean }[]>`select holder, canale_lock_held(name) as held from canale_locks where name = ${name}`;
    return row === undefined ? undefined : { holder: recordOf(row.holder), held: row.held };
  }

  /** Whether the row names a process of this machine that still runs (the only holders a row alone can prove alive). */
  private isAliveHere(holder: LockRecord): boolean {
    return this.owner !== undefined && holder.pid !== undefined && holder.host === this.host && this.owner.alive(holder.pid);
  }
}
