import { CanaleError } from './errors.js';
import type { Subscriber } from './subscriber.js';

/** SUBSCRIBER_EXISTS as every store words it: who holds what, and how to see them. */
export const subscriberExists = (holder: Subscriber, what: string): CanaleError =>
  new CanaleError('SUBSCRIBER_EXISTS', `subscriber ${holder.id} already has ${what} — see it with: canale subscribers show ${holder.id}`);

/** SUBSCRIBER_EXISTS for an id already taken. */
export const idTaken = (id: string): CanaleError =>
  new CanaleError('SUBSCRIBER_EXISTS', `a subscriber already has id ${id} — see it with: canale subscribers show ${id}`);

/** SUBSCRIBER_EXISTS for the phone, or else the e-mail, of `wanted` that `holder` already has. */
export function contactTaken(holder: Subscriber, wanted: { readonly phone?: string; readonly email?: string }): CanaleError {
  return subscriberExists(holder, wanted.phone !== undefined && holder.phone === wanted.phone ? `phone ${wanted.phone}` : `e-mail ${wanted.email ?? ''}`);
}

/** SUBSCRIBER_EXISTS for a WhatsApp user id already taken, when `holder` is someone. */
export function refuseUserId(holder: Subscriber | undefined, userId: string): void {
  if (holder !== undefined) throw subscriberExists(holder, `WhatsApp user id ${userId}`);
}
