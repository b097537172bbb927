import type { SubscriberTransaction } from './ports/subscriber-store.js';
import type { E164 } from './phone.js';
import type { Subscriber, SubscriberId } from './subscriber.js';

const PHONE = /^\+[1-9]\d{6,14}$/;

/**
 * A business-scoped user id as canale got it from Meta, used as an address. Branded so that a string from a
 * file or a flag is checked (isWhatsAppUserId) before it can be one.
 */
export type WhatsAppUserId = string & { readonly __brand: 'WhatsAppUserId' };

/**
 * Where a WhatsApp message goes: the citizen's number, or their user id when the number is not known. The two never
 * look alike (a number is `+` and digits; Meta's user ids start with a country code and a dot), so a plain union of
 * strings keeps every `to: phone` as it was and isWhatsAppPhone tells them apart.
 */
export type WhatsAppAddress = E164 | WhatsAppUserId;

/**
 * Meta's form of a business-scoped user id (business-scoped-user-ids page, 2026): a two-letter country code, a dot
 * and up to 128 letters and digits, e.g. `US.13491208655302741918`; a parent BSUID has `ENT.` after the country.
 * Stored ids are read more leniently (isWhatsAppUserId) since Meta calls the format subject to change; this is for
 * what a person types (`send --test-to`) and for the sandbox, which must refuse what Meta would.
 */
export const BSUID_FORM = /^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$/;

/** Whether the address is a phone number (else it is a user id). */
export function isWhatsAppPhone(address: WhatsAppAddress): address is E164 {
  return PHONE.test(address);
}

/**
 * The address to message a subscriber at on WhatsApp: their number when canale has it (what consent was given for,
 * and Meta's `to` takes precedence over a user id anyway), else their user id; undefined when neither is known.
 */
export function whatsappAddressOf(subscriber: Pick<Subscriber, 'phone' | 'whatsappUserId'>): WhatsAppAddress | undefined {
  return subscriber.phone ?? (subscriber.whatsappUserId as WhatsAppUserId | undefined);
}

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
export function isWhatsAppUserId(text: string): text is WhatsAppUserId {
  // a leading + would make it read as a number wherever an address is either (WhatsAppAddress)
  // eslint-disable-next-line no-control-regex
  return text !== '' && text.length <= WHATSAPP_USER_ID_MAX && !text.startsWith('+') && !/[\u0000-\u001f\u007f]/.test(text);
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

/** The subscriber other than `exceptId` who already has this user id, if any. */
export function userIdHolder(subscribers: readonly Subscriber[], userId: string, exceptId?: SubscriberId): Subscriber | undefined {
  return subscribers.find((s) => s.whatsappUserId === userId && s.id !== exceptId);
}

/** A subscriber after Meta named their user id, and, when it was refused, who has it already. */
export interface UserIdLearning {
  readonly subscriber: Subscriber;
  /** Another subscriber already has this user id: it stays theirs, and this one is left as it was. */
  readonly takenBy?: SubscriberId;
}

/**
 * The subscriber with the user id Meta just gave for them, or the same object when there is nothing new (no user id,
 * or the same one). A different user id replaces the stored one: Meta's is the current one. A user id another
 * subscriber already has is not taken: two records (say one made by ISCRIVI from a username, one imported with the
 * number) are the same citizen, and merging them — whose consent, whose topics — is for a person to decide, so the
 * one that had it first keeps it and `takenBy` says so.
 */
export function withUserId(others: readonly Subscriber[] | SubscriberTransaction, subscriber: Subscriber, userId: string | undefined, at: string): UserIdLearning {
  if (userId === undefined || subscriber.whatsappUserId === userId) return { subscriber };
  const holder = Array.isArray(others) ? userIdHolder(others, userId, subscriber.id) : (others as SubscriberTransaction).userIdHolder(userId, subscriber.id);
  if (holder !== undefined) return { subscriber, takenBy: holder.id };
  return { subscriber: { ...subscriber, whatsappUserId: userId, updatedAt: at } };
}
