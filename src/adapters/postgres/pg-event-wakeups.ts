import postgres from 'postgres';
import type { Sql } from './database.js';

/** How long a lost LISTEN connection waits before it is tried again (the polls go on meanwhile). */
const RETRY_MS = 1000;

/**
 * The LISTEN side of the events tables: one connection of its own (the pool's settings, one session) listening on the
 * channels asked for, handing each notification to those who listen on its channel. A notification is only a
 * wake-up (they re-read the table; each polls as well): when the connection is lost it is opened again, and every
 * listener is woken once it is back, with an empty payload, for what was missed meanwhile. `close` ends it, and
 * every listener with it.
 */
export class PgWakeups {
  private connection: Sql | undefined;
  private readonly hearers = new Map<string, Set<(payload: string) => void>>();
  private readonly listening = new Map<string, Promise<void>>();
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly sql: Sql) {}

  /**
   * Calls `hear` with each notification on `channel`; resolves once the channel is listened to, with how to stop. A
   * LISTEN that fails (the server away, a pooler that does not pass notifications) is tried again each second, and
   * meanwhile the callers' polls hear what there is to hear: it never fails them.
   */
  async on(channel: string, hear: (payload: string) => void): Promise<() => void> {
    const hearers = this.hearers.get(channel) ?? new Set();
    this.hearers.set(channel, hearers);
    hearers.add(hear);
    await this.listen(channel).catch(() => this.lost());
    return () => {
      hearers.delete(hear);
    };
  }

  async close(): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    const connection = this.connection;
    this.connection = undefined;
    this.listening.clear();
    this.hearers.clear();
    await connection?.end({ timeout: 1 });
  }

  private listen(channel: string): Promise<void> {
    const known = this.listening.get(channel);
    if (known !== undefined) return known;
    const connection = this.open();
    const listened = connection`listen ${connection(channel)}`.then(() => undefined);
    this.listening.set(channel, listened);
    listened.catch(() => {
      if (this.listening.get(channel) === listened) this.listening.delete(channel);
    });
    return listened;
  }

  private open(): Sql {
    if (this.connection !== undefined) return this.connection;
    // what the driver's own sql.listen does, on a connection this class can end (sql.listen's lasts as long as the pool)
    const connection: Sql = postgres({
      ...(this.sql.options as unknown as postgres.Options<Record<string, postgres.PostgresType>>),
      max: 1,
      idle_timeout: null,
      max_lifetime: null,
      fetch_types: false,
      onnotify: (channel: string, payload: string) => this.hear(channel, payload),
      onclose: () => {
        if (this.connection === connection) this.lost();
      },
    } as unknown as postgres.Options<Record<string, postgres.PostgresType>>) as unknown as Sql;
    this.connection = connection;
    return connection;
  }

  private hear(channel: string, payload: string): void {
    for (const hear of [...(this.hearers.get(channel) ?? [])]) hear(payload);
  }

  private lost(): void {
    this.listening.clear();
    // closed meanwhile (its listeners are gone with it), or already to be tried again
    if (this.retry !== undefined || ![...this.hearers.values()].some((hearers) => hearers.size > 0)) return;
    this.retry = setTimeout(() => this.listenAgain(), RETRY_MS);
    this.retry.unref();
  }

  private listenAgain(): void {
    this.retry = undefined;
    const channels = [...this.hearers].filter(([, hearers]) => hearers.size > 0).map(([channel]) => channel);
    for (const channel of channels) {
      this.listen(channel).then(
        () => this.hear(channel, ''),
        () => this.lost(),
      );
    }
  }
}
