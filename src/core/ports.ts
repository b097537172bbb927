import type { StoreData } from './store-data.js';

/** Time, asked for rather than read from the air, so tests can use a fake clock. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** New identifiers, asked for so tests get predictable ones. */
export interface IdSource {
  /** A new, unique, URL-safe id that starts with `prefix` (for example `sub_`). */
  next(prefix: string): string;
}

/**
 * The subscriber store. Implementations guarantee:
 * - `read()` returns a complete, validated snapshot, never a half-written one;
 * - `update()` runs `change` on fresh data while holding an exclusive lock across processes, then writes the
 *   result atomically; if `change` throws, nothing is written and the error is rethrown;
 * - a damaged file is reported (CanaleError `STORE_DAMAGED`) and never overwritten.
 */
export interface Store {
  read(): Promise<StoreData>;
  update<T>(change: (data: StoreData) => T): Promise<T>;
}

/**
 * One-click unsubscribe links for e-mails: a URL under the public base with a token that proves which subscriber
 * and topic it is for (signed with the unsubscribe secret), so the webhook server can act on it without a login.
 */
export interface UnsubscribeLinks {
  /** The link, or undefined when the public URL or the secret is not configured. */
  urlFor(subscriberId: string, topic: string | undefined): string | undefined;
  /** The subscriber and topic a token was made for, or undefined when it was not made with this secret. */
  read(token: string): { readonly subscriberId: string; readonly topic?: string } | undefined;
}
