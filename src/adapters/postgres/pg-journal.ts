import { emptyReplay, type JournalRecord, type JournalReplay } from '../../core/dispatch/journal-state.js';
import { CanaleError } from '../../core/errors.js';
import type { CampaignJournal, Clock } from '../../core/ports.js';
import { OutcomeRecords } from '../journal/journal-records.js';
import { applyLines } from '../memory/memory-journal.js';
import type { Sql, TxSql } from './database.js';
import { tuples } from './pg-campaign-records.js';

type Waiter = { readonly index: number; readonly resolve: () => void; readonly reject: (e: unknown) => void };

/** Records made without a waiter are written with the next in-flight one, or once this many wait. */
const BATCH = 256;

/** One batch of the journal: positions and their lines, in order. */
export interface Batch {
  readonly positions: number[];
  readonly lines: string[];
}

const IN_FLIGHT_END = ',"s":"in-flight"}';

const emptyBatch = (): Batch => ({ positions: [], lines: [] });

/**
 * Appends a batch of journal lines in one statement (one commit, unless `sql` is a transaction's), under the
 * campaign's append lock (schema/campaigns.ts); returns the `seq` of the last, 0 for none.
 */
export async function appendLines(sql: Sql | TxSql, campaignId: string, batch: Batch): Promise<number> {
  if (batch.lines.length === 0) return 0;
  const [row] = await sql<{ last: number }[]>`select canale_campaign_journal_append(${campaignId}, ${batch.positions.join(',')}, ${batch.lines.join('\n')}) as last`;
  return row?.last ?? 0;
}

/**
 * A campaign's journal in PostgreSQL: the JSON lines `journal.jsonl` would hold, one row each. Records are buffered
 * and written together — every record waiting when a write starts goes in its one multi-row INSERT and its one
 * commit (group commit), and the writes of one journal follow each other, so its rows keep the order they were
 * made in. A write that carries in-flight records is committed before those recipients' requests may leave.
 *
 * A write that fails (the server gone, the connection dropped) is never taken for success: its in-flight records
 * are refused (those requests never leave), the journal writes the batch again with a `released` record for each
 * of them — a commit whose answer was lost may have kept the batch, and the same records twice replay as once —
 * and from then on refuses every new in-flight record while still writing what the requests already out come back
 * with. If even that cannot be written the journal writes nothing more and `flush` says why.
 */
export class PgJournal extends OutcomeRecords implements CampaignJournal {
  private buffer: Batch = emptyBatch();
  private waiters: Waiter[] = [];
  private writing: Promise<void> | undefined;
  /** Why the journal takes no new in-flight record: the first write that failed. */
  private failure: unknown;
  /** Nothing more may be written: even the recovery write failed. */
  private isBroken = false;

  constructor(
    private readonly sql: Sql,
    private readonly campaignId: string,
    clock: Clock,
  ) {
    super(clock);
  }

  inFlight(index: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.add(index, JSON.stringify({ i: index, s: 'in-flight' }));
      this.waiters.push({ index, resolve, reject });
      this.kick();
    });
  }

  /** Writes whatever is buffered and waits for its commit; throws if some record could not be written. */
  async flush(): Promise<void> {
    // a record pushed while the last write was ending is in no write yet: flush writes again until nothing is left
    do {
      this.kick();
      while (this.writing !== undefined) await this.writing;
    } while (this.buffer.lines.length > 0 && !this.isBroken);
    if (this.isBroken) throw this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  protected push(record: JournalRecord): void {
    if (this.isBroken) return;
    this.add(record.i, JSON.stringify(record));
    if (this.buffer.lines.length >= BATCH) this.kick();
  }

  private add(index: number, line: string): void {
    this.buffer.positions.push(index);
    this.buffer.lines.push(line);
  }

  private kick(): void {
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
      if (this.buffer.lines.length > 0 && this.waiters.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.buffer.lines.length > 0 && !this.isBroken) {
      if (this.failure !== undefined && this.waiters.length > 0) {
        // in-flight records queued while the failing write was out: never written, so those recipients stay pending
        const kept = emptyBatch();
        this.buffer.lines.forEach((line, k) => {
          if (line.endsWith(IN_FLIGHT_END)) return;
          kept.positions.push(this.buffer.positions[k] as number);
          kept.lines.push(line);
        });
        this.buffer = kept;
        this.waiters.splice(0).forEach((w) => w.reject(this.failure));
        continue;
      }
      const batch = this.buffer;
      const waiters = this.waiters;
      this.buffer = emptyBatch();
      this.waiters = [];
      try {
        await appendLines(this.sql, this.campaignId, batch);
        waiters.forEach((w) => w.resolve());
      } catch (error) {
        this.failure ??= journalError(this.campaignId, error);
        waiters.forEach((w) => w.reject(this.failure));
        await this.recover(batch, waiters);
      }
    }
    if (this.isBroken) {
      this.buffer = emptyBatch();
      this.waiters.splice(0).forEach((w) => w.reject(this.failure));
    }
  }

  /** After a failed write: the batch again, each refused in-flight recipient released (their request never left). */
  private async recover(batch: Batch, refused: readonly Waiter[]): Promise<void> {
    const again: Batch = { positions: [...batch.positions], lines: [...batch.lines] };
    for (const w of refused) {
      again.positions.push(w.index);
      again.lines.push(JSON.stringify({ i: w.index, s: 'released' }));
    }
    try {
      await appendLines(this.sql, this.campaignId, again);
    } catch {
      this.isBroken = true;
    }
  }
}

/** What the send is told when its journal cannot be written: the campaign, and what the server said. */
function journalError(campaignId: string, error: unknown): CanaleError {
  const said = error instanceof Error ? error.message : String(error);
  return new CanaleError('JOURNAL_WRITE_FAILED', `the journal of campaign ${campaignId} could not be written to the database (${said})`, { cause: error });
}

/** How many journal rows are read at a time: a million-recipient journal never sits in memory as rows. */
const READ_ROWS = 20_000;

/** Hands the campaign's journal lines to `onLines` in the order they were committed, a chunk at a time; returns the last `seq` read. */
export async function readJournal(sql: Sql | TxSql, campaignId: string, afterSeq: number, onLines: (lines: string[], seqs: number[]) => void): Promise<number> {
  let last = afterSeq;
  for (;;) {
    const rows = await tuples<[number, string]>(sql`select seq, line from canale_campaign_journal
      where campaign_id = ${campaignId} and seq > ${last} order by seq limit ${READ_ROWS}`);
    if (rows.length === 0) return last;
    onLines(rows.map((r) => r[1]), rows.map((r) => r[0]));
    last = (rows[rows.length - 1] as [number, string])[0];
    if (rows.length < READ_ROWS) return last;
  }
}

/** The campaign's journal replayed for a list of `size` recipients (a scrubbed line, all blanks, is skipped). */
export async function replayJournal(sql: Sql, campaignId: string, size: number): Promise<JournalReplay> {
  const replay = emptyReplay(size);
  await readJournal(sql, campaignId, 0, (lines) => applyLines(replay, lines));
  return replay;
}
