import { envelope, unixSeconds, type WebhookIds } from './status-webhooks.js';

/** Who changed what, as the sandbox makes it up: a new number, or a new business-scoped user id. */
export type IdentityChangeMessage = { readonly wamid: string; readonly at: Date; readonly name?: string } & (
  | { readonly kind: 'number'; readonly from: string; readonly to: string }
  | { readonly kind: 'user-id'; readonly userId: string; readonly newUserId: string }
);

/**
 * A `system` message (system messages webhook reference; reference §4.4): `user_changed_number` has the old number
 * in `from` and the new one in `system.wa_id`; `user_changed_user_id` (2026) has the old id in `from_user_id` and
 * `system.previous_user_id`, the new one in `system.user_id`. Unlike other messages, no `contacts` array.
 */
export function identityChangePayload(change: IdentityChangeMessage, ids: WebhookIds): unknown {
  const name = change.name ?? 'Cittadino';
  const common = { id: change.wamid, timestamp: unixSeconds(change.at) };
  const message =
    change.kind === 'number'
      ? { from: change.from, ...common, system: { body: `User ${name} changed from ${change.from} to ${change.to}`, wa_id: change.to, type: 'user_changed_number' }, type: 'system' }
      : {
          from_user_id: change.userId,
          ...common,
          system: { body: `User ${name} changed from ${change.userId} to ${change.newUserId}`, previous_user_id: change.userId, user_id: change.newUserId, type: 'user_changed_user_id' },
          type: 'system',
        };
  return envelope('messages', { messages: [message] }, ids);
}

/** A citizen's "stop/resume offers and announcements" switch: their number's digits ('' if unknown) and/or user id. */
export interface PreferenceChange {
  readonly from: string;
  readonly userId?: string;
  readonly preference: 'stop' | 'resume';
  readonly at: Date;
}

/**
 * The `user_preferences` webhook (reference §4.5): WhatsApp's marketing-messages switch. Its `timestamp` is a number,
 * not a string as elsewhere; a citizen known by user id only has no `wa_id`, as in messages.
 */
export function preferencePayload(change: PreferenceChange, ids: WebhookIds): unknown {
  const who = { ...(change.from === '' ? {} : { wa_id: change.from }), ...(change.userId === undefined ? {} : { user_id: change.userId }) };
  const preference = {
    ...who,
    detail: `User requested to ${change.preference} marketing messages`,
    category: 'marketing_messages',
    value: change.preference,
    timestamp: Math.floor(change.at.getTime() / 1000),
  };
  return envelope('user_preferences', { contacts: [who], user_preferences: [preference] }, ids);
}
