import type { Persistence } from '../ports.js';
import { erasePending } from '../signup/pending-signups.js';
import type { Subscriber } from '../subscriber.js';

/** A place outside the stores that may hold a citizen's phone, e-mail or name (the outbox's message files). */
export interface OtherPersonalData {
  readonly name: string;
  /** Removes or rewrites whatever identifies `subscriber`; returns how many places it changed. */
  erase(subscriber: Subscriber): Promise<number>;
}

/**
 * Erasure on request (GDPR art. 17, DESIGN §5): every other place first (the outbox, campaigns, the event log and
 * the opt-out feed, pending web sign-ups) and the subscriber store last, so a forget that is interrupted can simply be run again. Once
 * the store no longer holds the person the erasure mark changes and the campaigns are erased again, for one frozen
 * meanwhile by a send that had read the store before (that send checks the mark after its freeze, so one of the two
 * always sees the other). Returns how many places changed besides the store.
 */
export async function forgetSubscriber(ports: Persistence, others: readonly OtherPersonalData[], subscriber: Subscriber): Promise<number> {
  let changed = 0;
  for (const other of others) changed += await other.erase(subscriber);
  changed += await ports.campaigns.erase(subscriber);
  changed += await ports.events.erase(subscriber);
  // a sign-up of theirs still waiting for its confirmation (the same number or e-mail) goes too
  changed += await ports.signups.update((book) => erasePending(book, subscriber));
  await ports.subscribers.transaction({ ids: [subscriber.id] }, (tx) => tx.remove(subscriber.id));
  await ports.campaigns.changeErasureMark();
  return changed + (await ports.campaigns.erase(subscriber));
}
