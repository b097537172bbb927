import type { Subscriber } from '../core/subscriber.js';
import type { HomePaths } from './home.js';

/**
 * A place in the home, other than db.json, that may hold a citizen's phone, e-mail or name. `forget` (core/erasure/
 * forget.ts) reaches each through its port (campaigns, the event log) or directly (the outbox); every capability
 * that writes personal data to a file adds its holder there, and extends the end-to-end erasure test, which
 * searches every file in the home (DESIGN §5).
 */
export interface PersonalDataHolder {
  readonly name: string;
  /** Removes or rewrites whatever identifies `subscriber`; returns how many files it changed. */
  erase(subscriber: Subscriber, paths: HomePaths): Promise<number>;
}
