import type { SubscriberTransaction } from '../ports/subscriber-store.js';
import type { Subscriber, SubscriberId } from '../subscriber.js';
import { resubscribe } from '../subscribers.js';
import type { PendingSignup } from './pending-signups.js';

/** How the citizen confirmed: the e-mail's link (a POST on its page), or `CONFERMA <code>` from their number. */
export type ConfirmedBy = { readonly by: 'email' } | { readonly by: 'whatsapp'; readonly messageId: string };

/**
 * The consent source of what a confirmed web sign-up changes: `web:iscriviti:<sign-up id>` — where consent was given
 * (the page) and which sign-up, so the same confirmation applied again (after a crash) is found and skipped.
 */
export const signupSource = (signupId: string): string => `web:iscriviti:${signupId}`;

export type SignupOutcome =
  | { readonly kind: 'added' | 'rejoined'; readonly subscriber: Subscriber }
  | { readonly kind: 'already'; readonly subscriberId?: SubscriberId };

const noteOf = (how: ConfirmedBy): string =>
  how.by === 'email' ? 'sign-up on the web page, confirmed by the e-mail link' : `sign-up on the web page, confirmed by WhatsApp (CONFERMA, whatsapp:${how.messageId})`;

/**
 * Makes a confirmed sign-up a subscriber, at the time of the confirmation (double opt-in, DESIGN §2): a new citizen is
 * added with consent from the page (its source, the confirmation's time and the notice version they were shown); one
 * the store knows by number or e-mail — who may have opted out — is re-subscribed to the topics they ticked, only
 * because they confirmed it themselves, each change in their history with that source. Safe to apply twice.
 */
export function confirmSignup(tx: SubscriberTransaction, signup: PendingSignup, at: string, how: ConfirmedBy, newId: () => SubscriberId): SignupOutcome {
  const source = signupSource(signup.id);
  const known = tx.conflict({ ...(signup.phone === undefined ? {} : { phone: signup.phone }), ...(signup.email === undefined ? {} : { email: signup.email }) });
  if (tx.hasSource(source)) return { kind: 'already', ...(known === undefined ? {} : { subscriberId: known.id }) };
  const note = noteOf(how);
  if (known === undefined) {
    const subscriber = tx.add(
      { ...(signup.name === undefined ? {} : { name: signup.name }), ...(signup.phone === undefined ? {} : { phone: signup.phone }), ...(signup.email === undefined ? {} : { email: signup.email }), topics: signup.topics, channel: signup.channel, attributes: {} },
      { id: newId(), now: at, consent: { source, at, note, notice: signup.notice } },
    );
    return { kind: 'added', subscriber };
  }
  const change = { at, source, note };
  let next = known.status === 'active' ? known : resubscribe(known, undefined, change);
  for (const topic of signup.topics) next = resubscribe(next, topic, change);
  // the contact they gave for the channel they chose, unless another subscriber has it
  const phone = next.phone === undefined && signup.phone !== undefined && tx.conflict({ phone: signup.phone }, next.id) === undefined ? { phone: signup.phone } : {};
  const email = next.email === undefined && signup.email !== undefined && tx.conflict({ email: signup.email }, next.id) === undefined ? { email: signup.email } : {};
  const reachable = signup.channel === 'whatsapp' ? (next.phone ?? phone.phone) !== undefined : (next.email ?? email.email) !== undefined;
  next = { ...next, ...phone, ...email, ...(reachable ? { channel: signup.channel } : {}), ...(next.name === undefined && signup.name !== undefined ? { name: signup.name } : {}), updatedAt: at };
  // even with nothing to change (already following everything ticked), the confirmation is recorded once
  if (next.history === known.history) next = { ...next, history: [...(known.history ?? []), { at, action: 'resubscribed', source, note }] };
  return { kind: 'rejoined', subscriber: tx.replace(next) };
}
