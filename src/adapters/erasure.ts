import type { Subscriber } from '../core/subscriber.js';
import type { HomePaths } from './home.js';
import { campaignsHolder } from './campaign/campaign-erasure.js';
import { changeErasureMark } from './campaign/erasure-mark.js';
import { outboxHolder } from './transports/outbox/outbox-files.js';
import { optOutHolder } from './optout/optout-feed.js';
import { webhookHolder } from './webhook/webhook-erasure.js';

/**
 * A place in the home, other than db.json, that may hold a citizen's phone, e-mail or name. `forget` calls every
 * holder first and removes the subscriber from the store last, so a forget that is interrupted can be run again. Every capability that
 * writes personal data to a file (campaign journals, the outbox, reports, webhook event logs) adds its holder
 * here, and extends the end-to-end erasure test, which searches every file in the home (DESIGN §5).
 */
export interface PersonalDataHolder {
  readonly name: string;
  /** Removes or rewrites whatever identifies `subscriber`; returns how many files it changed. */
  erase(subscriber: Subscriber, paths: HomePaths): Promise<number>;
}

// Temporary copies of db.json left by a write that was killed hold everyone's data: they are removed by the store's
// own next write, under its lock (JsonFileStore.update), so by forget's too — never here, outside the lock, where a
// live writer's copy could be taken from under it.

export const PERSONAL_DATA_HOLDERS: readonly PersonalDataHolder[] = [outboxHolder, campaignsHolder, webhookHolder, optOutHolder];

/**
 * Once the store no longer holds the person: the erasure mark changes, and the campaigns are erased again, for one
 * frozen meanwhile by a send that had read the store before (that send checks the mark after its freeze, so one of
 * the two always sees the other: DESIGN §5). Returns how many files changed.
 */
export async function eraseAfterRemoval(subscriber: Subscriber, paths: HomePaths): Promise<number> {
  await changeErasureMark(paths.home);
  return campaignsHolder.erase(subscriber, paths);
}

/** Runs every holder; returns the number of files changed by each. */
export async function eraseElsewhere(subscriber: Subscriber, paths: HomePaths): Promise<Array<{ name: string; files: number }>> {
  const results: Array<{ name: string; files: number }> = [];
  for (const holder of PERSONAL_DATA_HOLDERS) results.push({ name: holder.name, files: await holder.erase(subscriber, paths) });
  return results;
}
