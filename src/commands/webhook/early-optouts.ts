import type { EventLog } from '../../core/ports.js';
import type { Topic } from '../../core/topic.js';
import { earlyOptOuts, readPayload } from './event-lines.js';

/**
 * The request path's part of an opt-out (DESIGN §5): a STOP (or a topic STOP, or WhatsApp's marketing stop) is put
 * in the opt-out feed by the number or user id it came from, flushed with the event log line before Meta gets its
 * 200 — so a running send skips that citizen within its half-second poll of the 200, whatever the store's size and
 * however long the batch under way takes to write it. Appended with the payload's inbox line (EventLog.record: one
 * commit in PostgreSQL), group-committed like it. Conservative: a STOP and a later ISCRIVI in another request still
 * stop that citizen's message of a send already running.
 */
export class EarlyOptOuts {
  constructor(
    private readonly log: Pick<EventLog, 'record' | 'appendOptOuts'>,
    /** The topic catalogue as the applier last saw it, to name a topic STOP's topic. */
    private readonly topics: () => readonly Topic[],
  ) {}

  /** Records the payload in the inbox with its STOPs in the feed (one commit where the log has one), on disk before it resolves; most payloads (receipts) have none. */
  record(at: string, payload: unknown): Promise<void> {
    return this.log.record(at, payload, earlyOptOuts(readPayload(payload, at).events, this.topics()));
  }

  /** A one-click e-mail unsubscribe, by the subscriber id its token names. */
  async recordUnsubscribe(at: string, target: { readonly subscriberId: string; readonly topic?: string }): Promise<void> {
    await this.log.appendOptOuts([{ subscriberId: target.subscriberId, ...(target.topic === undefined ? {} : { topic: target.topic }), at }]);
  }

  /** A preference page's choice: each topic of the catalogue not chosen, by the subscriber id its token names. */
  async recordPreferences(at: string, subscriberId: string, left: readonly string[]): Promise<void> {
    if (left.length > 0) await this.log.appendOptOuts(left.map((topic) => ({ subscriberId, topic, at })));
  }
}
