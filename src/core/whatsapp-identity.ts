import type { E164 } from './phone.js';
import type { Subscriber } from './subscriber.js';

const PHONE = /^\+[1-9]\d{6,14}$/;

/** Meta's business-scoped user ids are "up to 256 characters". */
export const WHATSAPP_USER_ID_MAX = 256;

/**
 * Who wrote on WhatsApp, as far as Meta said: their number (absent for a citizen who uses a username and has not
 * shared it), their business-scoped user id (absent before 2026), or both.
 */
export interface WhatsAppIdentity {
  readonly phone?: E164;
  readonly userId?: string;
}

/** Whether a text can be a stored user id: not empty, not too long, no control characters. */
export function isWhatsAppUserId(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return text !== '' && text.length <= WHATSAPP_USER_ID_MAX && !/[\u0000-\u001f\u007f]/.test(text);
}

/**
 * The identity in a webhook's words: `wa_id`/`from` digits (no +) and a user id, either possibly empty or absent.
 * What cannot be a number or a user id is left out, so the result may be empty (nobody to act for).
 */
export function identityOf(waId: string | undefined, userId: string | undefined): WhatsAppIdentity {
  const phone = waId === undefined || waId === '' ? undefined : `+${waId.replace(/^\+/, '')}`;
  return {
    ...(phone !== undefined && PHONE.test(phone) ? { phone: phone as E164 } : {}),
    ...(userId !== undefined && isWhatsAppUserId(userId) ? { userId } : {}),
  };
}

export const isEmptyIdentity = (who: WhatsAppIdentity): boolean => who.phone === undefined && who.userId === undefined;

/**
 * The subscriber this identity is: the one with the number, else the one with the user id. The number wins since
 * it is what the city imported and what consent was given for; the user id finds citizens Meta no longer shows the
 * number of.
 */
export function findByIdentity(subscribers: readonly Subscriber[], who: WhatsAppIdentity): Subscriber | undefined {
  const byPhone = who.phone === undefined ? undefined : subscribers.find((s) => s.phone === who.phone);
  if (byPhone !== undefined) return byPhone;
  return who.userId === undefined ? undefined : subscribers.find((s) => s.whatsappUserId === who.userId);
}

/**
 * The subscriber with the user id Meta just gave for them, or the same object when there is nothing new (no user id,
 * or the same one). A different user id replaces the stored one: Meta's is the current one.
 */
export function withUserId(subscriber: Subscriber, userId: string | undefined, at: string): Subscriber {
  if (userId === undefined || subscriber.whatsappUserId === userId) return subscriber;
  return { ...subscriber, whatsappUserId: userId, updatedAt: at };
}
