import { applyRecord, emptyReplay, type JournalRecord, type JournalReplay } from '../../core/dispatch/journal-state.js';
import type { CampaignJournal, Clock } from '../../core/ports.js';
import { OutcomeRecords } from '../journal/journal-records.js';

/**
 * A campaign's journal in memory: the JSON lines the home's `journal.jsonl` would hold, kept as each record is made —
 * so an in-flight record is kept before `inFlight` resolves, and group commit has nothing to share.
 */
export class MemoryJournal extends OutcomeRecords implements CampaignJournal {
  constructor(
    private readonly keep: (line: string) => void,
    clock: Clock,
  ) {
    super(clock);
  }

  async inFlight(index: number): Promise<void> {
    this.push({ i: index, s: 'in-flight' });
  }

  async flush(): Promise<void> {
    // every record is kept as it is made
  }

  async close(): Promise<void> {
    // nothing is held open
  }

  protected push(record: JournalRecord): void {
    this.keep(JSON.stringify(record));
  }
}

/** The records of journal lines, as replayJournal reads a file's: a line that is not a record (scrubbed to blanks) is skipped. */
export function* journalRecords(lines: Iterable<string>): Generator<JournalRecord> {
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as JournalRecord;
    } catch {
      // not a record
    }
  }
}

/** Applies journal lines to a replay (`onRecord` hears each record applied). */
export function applyLines(replay: JournalReplay, lines: Iterable<string>, onRecord?: (record: JournalRecord) => void): JournalReplay {
  for (const record of journalRecords(lines)) {
    try {
      applyRecord(replay, record);
    } catch {
      continue; // JSON that is no record (a number, null)
    }
    onRecord?.(record);
  }
  return replay;
}

/** The journal's lines replayed for a list of `size` recipients. */
export function replayLines(lines: Iterable<string>, size: number): JournalReplay {
  return applyLines(emptyReplay(size), lines);
}
