import type { PendingSignup } from '../signup/pending-signups.js';
import { confirmSignup, type SignupOutcome } from '../signup/confirm-signup.js';
import type { SubscriberTransaction } from '../ports/subscriber-store.js';
import type { SubscriberId } from '../subscriber.js';
import { labelsOf } from '../topic.js';
import { NO_SIGNUP_ANSWER, type CitizenMessage, type ReplyOutcome } from './citizen-reply.js';

/** The answer to a confirmed sign-up: what they will now receive. */
export function confirmedAnswer(tx: SubscriberTransaction, signup: PendingSignup): string {
  const labels = labelsOf(tx.topics(), signup.topics);
  return `Fatto: iscrizione confermata. Riceverai i messaggi su: ${labels.map((l) => `«${l}»`).join(', ')}. Scrivi STOP per non riceverne più.`;
}

/**
 * `CONFERMA <code>` from a citizen's number: `signup` is the pending web sign-up of that number with that code (found
 * by the applier in the sign-up store before the store's change), or undefined when there is none (wrong code,
 * expired, already confirmed, another number). Only then does anyone become a subscriber.
 */
export function applyConfirmReply(tx: SubscriberTransaction, message: CitizenMessage, signup: PendingSignup | undefined, newId: () => SubscriberId): ReplyOutcome & { readonly signup?: SignupOutcome } {
  if (signup === undefined) {
    const known = tx.find(message);
    return { ...(known === undefined ? {} : { subscriberId: known.id }), changed: false, answer: NO_SIGNUP_ANSWER };
  }
  const outcome = confirmSignup(tx, signup, message.at, { by: 'whatsapp', messageId: message.messageId }, newId);
  const subscriberId = outcome.kind === 'already' ? outcome.subscriberId : outcome.subscriber.id;
  return { ...(subscriberId === undefined ? {} : { subscriberId }), changed: outcome.kind !== 'already', answer: confirmedAnswer(tx, signup), signup: outcome };
}
