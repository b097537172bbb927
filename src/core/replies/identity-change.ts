import type { E164 } from '../phone.js';
import type { StoreData } from '../store-data.js';
import type { ConsentEvent, Subscriber, SubscriberId } from '../subscriber.js';
import type { SubscriberTransaction } from '../ports/subscriber-store.js';
import { SubscriberBook } from '../subscriber-book.js';
import { isWhatsAppUserId, type WhatsAppIdentity } from '../whatsapp-identity.js';

/**
 * WhatsApp telling the business a citizen's identity changed (a `system` message): they moved to a new number
 * (`user_changed_number`: the old number is the message's `from`, the new one `system.wa_id`), or their business-scoped
 * user id changed (`user_changed_user_id`). `before` is who they were, as far as the message says.
 */
export type IdentityChange =
  | { readonly kind: 'number-changed'; readonly messageId: string; readonly at: string; readonly before: WhatsAppIdentity; readonly phone: E164; readonly userId?: string }
  | { readonly kind: 'user-id-changed'; readonly messageId: string; readonly at: string; readonly before: WhatsAppIdentity; readonly userId: string };

/**
 * What applying it did. `number-taken` / `user-id-taken`: another subscriber already has the new number or user id —
 * two records are not merged behind the city's back, so nothing changes and the server says so (without the numbers).
 * A move to a new number whose new user id another subscriber has moves the number and names that one in
 * `userIdTakenBy`, without the user id.
 */
export type IdentityOutcome =
  | { readonly kind: 'moved'; readonly subscriberId: SubscriberId; readonly userIdTakenBy?: SubscriberId }
  | { readonly kind: 'user-id-updated'; readonly subscriberId: SubscriberId }
  | { readonly kind: 'already-applied' | 'number-taken'; readonly subscriberId: SubscriberId }
  | { readonly kind: 'user-id-taken'; readonly subscriberId: SubscriberId; readonly takenBy: SubscriberId }
  | { readonly kind: 'unknown-citizen' };

function withEvent(subscriber: Subscriber, fields: Partial<Subscriber>, event: ConsentEvent): Subscriber {
  return { ...subscriber, ...fields, history: [...(subscriber.history ?? []), event], updatedAt: event.at };
}

/** A new number starts reachable, and a user id that came with the old number is stale. */
function forNewNumber(subscriber: Subscriber): Subscriber {
  const { whatsappUserId: _stale, whatsappUnreachable: _old, ...rest } = subscriber;
  return rest;
}

/**
 * Applies an identity change to the store: the subscriber who had the old number (or user id) gets the new one, and
 * their consent history records it with the message as source (`whatsapp:<id>`) and what they had before — the
 * consent given for the old number carries over, as WhatsApp moves the chat. A number change also renews the user id
 * (Meta regenerates it): the new one is kept, a stale one dropped. Applying it twice changes nothing the second time.
 * No answer goes to anyone: the old number is no longer theirs.
 */
export function applyIdentityChange(store: StoreData | SubscriberTransaction, change: IdentityChange): IdentityOutcome {
  const book = SubscriberBook.of(store);
  const source = `whatsapp:${change.messageId}`;
  const current = change.kind === 'number-changed' ? { phone: change.phone, ...(change.userId === undefined ? {} : { userId: change.userId }) } : { userId: change.userId };
  const subscriber = book.find(change.before) ?? book.find(current);
  if (subscriber === undefined) return { kind: 'unknown-citizen' };
  if ((subscriber.history ?? []).some((e) => e.source === source)) return { kind: 'already-applied', subscriberId: subscriber.id };
  if (change.kind === 'user-id-changed') {
    if (subscriber.whatsappUserId === change.userId) return { kind: 'already-applied', subscriberId: subscriber.id };
    const holder = book.userIdHolder(change.userId, subscriber.id);
    if (holder !== undefined) return { kind: 'user-id-taken', subscriberId: subscriber.id, takenBy: holder.id };
    const previous = subscriber.whatsappUserId ?? change.before.userId;
    book.replace(
      withEvent(subscriber, { whatsappUserId: change.userId }, { at: change.at, action: 'user-id-changed', source, ...(previous === undefined ? {} : { previous }) }),
    );
    return { kind: 'user-id-updated', subscriberId: subscriber.id };
  }
  if (subscriber.phone === change.phone) return { kind: 'already-applied', subscriberId: subscriber.id };
  if (book.conflict({ phone: change.phone }, subscriber.id) !== undefined) return { kind: 'number-taken', subscriberId: subscriber.id };
  const base = forNewNumber(subscriber);
  const previous = subscriber.phone ?? change.before.phone;
  const event: ConsentEvent = { at: change.at, action: 'number-changed', source, ...(previous === undefined ? {} : { previous }) };
  const holder = change.userId === undefined ? undefined : book.userIdHolder(change.userId, subscriber.id);
  const userId = change.userId === undefined || holder !== undefined ? {} : { whatsappUserId: change.userId };
  book.replace(withEvent(base, { phone: change.phone, ...userId }, event));
  return { kind: 'moved', subscriberId: subscriber.id, ...(holder === undefined ? {} : { userIdTakenBy: holder.id }) };
}

/**
 * What learnUserId did: `learnt` (the store changed), `unchanged` (nothing new, or the subscriber is gone), or `taken`
 * — another subscriber already has that user id; it stays theirs (the first to have it) and `holder` names them.
 */
export type UserIdLearnt = { readonly kind: 'learnt' | 'unchanged' } | { readonly kind: 'taken'; readonly holder: SubscriberId };

/**
 * Keeps the user id Meta gave for a subscriber known by id (a receipt's `recipient_user_id`, a send response's
 * `contacts[].user_id`). Never gives two subscribers one user id (see withUserId for why they are not merged).
 */
export function learnUserId(store: StoreData | SubscriberTransaction, subscriberId: SubscriberId, userId: string, at: string): UserIdLearnt {
  const book = SubscriberBook.of(store);
  const subscriber = book.findById(subscriberId);
  if (subscriber === undefined || subscriber.whatsappUserId === userId || !isWhatsAppUserId(userId)) return { kind: 'unchanged' };
  const holder = book.userIdHolder(userId, subscriber.id);
  if (holder !== undefined) return { kind: 'taken', holder: holder.id };
  book.replace({ ...subscriber, whatsappUserId: userId, updatedAt: at });
  return { kind: 'learnt' };
}
