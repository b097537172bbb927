import type { Sql } from './database.js';
import { SerialReads } from './pg-serial-reads.js';

/** The NOTIFY channels of the campaign tables a running send follows (payload: the campaign id). */
export const DROPPED_CHANNEL = 'canale_campaign_dropped';
export const TROUBLE_CHANNEL = 'canale_campaign_trouble';

/** How often a follower reads again without a NOTIFY: a change whose NOTIFY was lost still arrives within this. */
const POLL_MS = 500;

/**
 * Follows rows of one campaign that other processes (on any machine) add while a send runs: `read` is run at start,
 * then whenever a NOTIFY on `channel` names the campaign, and every POLL_MS in any case — a NOTIFY is only a
 * wake-up (one sent while the listening connection was being made again is lost), the table is what counts. Reads
 * never overlap; one asked for while another runs is run right after it. A read that fails (the server gone for a
 * moment) is tried again at the next wake-up. Where LISTEN is not available (a pooler in transaction mode) the
 * poll alone keeps it.
 */
export class CampaignFeed {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly reads: SerialReads;
  private isClosed = false;
  private unlisten: () => Promise<void> = async () => undefined;

  private constructor(
    read: () => Promise<void>,
    private readonly everyMs: number,
  ) {
    this.reads = new SerialReads(read);
  }

  static async start(sql: Sql, channel: string, campaignId: string, read: () => Promise<void>, everyMs = POLL_MS): Promise<CampaignFeed> {
    const feed = new CampaignFeed(read, everyMs);
    try {
      const listening = await sql.listen(channel, (payload) => {
        if (payload === campaignId) feed.reads.wake();
      });
      feed.unlisten = async () => {
        await listening.unlisten();
      };
    } catch {
      // no LISTEN here: the poll keeps the feed
    }
    // listening first: a change made between this read and the LISTEN would otherwise wait for the poll
    const first = read();
    feed.reads.follow(first);
    try {
      await first;
    } catch (error) {
      await feed.close();
      throw error;
    }
    feed.schedule();
    return feed;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    const reads = this.reads.close();
    clearTimeout(this.timer);
    await this.unlisten().catch(() => undefined);
    await reads;
  }

  private schedule(): void {
    if (this.isClosed) return;
    this.timer = setTimeout(() => {
      this.reads.wake();
      this.schedule();
    }, this.everyMs);
    this.timer.unref();
  }
}
