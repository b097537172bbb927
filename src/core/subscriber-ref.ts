import { emailKey, toEmail } from './email.js';
import { CanaleError } from './errors.js';
import { checkId } from './ids.js';
import { looksLikePhone, toE164 } from './phone.js';
import type { BookHints, SubscriberKey, SubscriberStore, SubscriberTransaction } from './ports/subscriber-store.js';
import type { Subscriber } from './subscriber.js';
import { canaleCommand } from './shell-quote.js';

/** What a REF can name, in the order it is tried, and the text searched for when nobody matches. */
export interface ParsedRef {
  readonly keys: readonly SubscriberKey[];
  readonly text: string;
}

/**
 * What a person means by REF: an id (`sub_…`), a phone number in any writing (`333 123 4567`, `+39 333 1234567`,
 * `0039…`), or an e-mail address in any case. A REF that starts like an id (`sub_`, no `@`) must have an id's shape,
 * or it is a usage error naming `where`. A WhatsApp user id finds its subscriber too.
 */
export function parseRef(ref: string, country: string, where = 'REF'): ParsedRef {
  const trimmed = ref.trim();
  const text = /^sub_/i.test(trimmed) && !trimmed.includes('@') ? checkId('subscriber', trimmed, where) : trimmed;
  const keys: SubscriberKey[] = [{ id: text }];
  if (text.includes('@')) keys.push({ email: emailKey(toEmail(text) ?? text) });
  else if (looksLikePhone(text)) {
    const phone = toE164(text, country);
    if (phone !== undefined) keys.push({ phone });
  }
  // a citizen who uses a WhatsApp username may be known by their user id alone
  keys.push({ userId: text });
  return { keys, text };
}

/** The hints a transaction needs to resolve this REF. */
export function refHints(parsed: ParsedRef): BookHints {
  const hints = { ids: [] as string[], phones: [] as string[], emails: [] as string[], userIds: [] as string[] };
  for (const key of parsed.keys) {
    if ('id' in key) hints.ids.push(key.id);
    else if ('phone' in key) hints.phones.push(key.phone);
    else if ('email' in key) hints.emails.push(key.email);
    else hints.userIds.push(key.userId);
  }
  return hints;
}

function notFound(ref: string, text: string): CanaleError {
  return new CanaleError(
    'SUBSCRIBER_NOT_FOUND',
    `no subscriber matches "${ref}" (an id, a phone number, a WhatsApp user id or an e-mail) — search with: ${canaleCommand('subscribers', 'list', '--search', text)}`,
  );
}

function inTransaction(tx: SubscriberTransaction, key: SubscriberKey): Subscriber | undefined {
  if ('id' in key) return tx.findById(key.id);
  if ('email' in key) return tx.findByEmail(key.email);
  if ('phone' in key) return tx.find({ phone: key.phone as never });
  return tx.find({ userId: key.userId });
}

/** The subscriber REF names, as a transaction sees them (SUBSCRIBER_NOT_FOUND says how to search). */
export function resolveRefIn(tx: SubscriberTransaction, ref: string, parsed: ParsedRef): Subscriber {
  for (const key of parsed.keys) {
    const found = inTransaction(tx, key);
    if (found !== undefined) return found;
  }
  throw notFound(ref, parsed.text);
}

/** The subscriber REF names in the store, found by its keys (no pass over everyone). */
export async function findRef(store: SubscriberStore, ref: string, country: string, where = 'REF'): Promise<Subscriber> {
  const parsed = parseRef(ref, country, where);
  for (const key of parsed.keys) {
    const found = await store.find(key);
    if (found !== undefined) return found;
  }
  throw notFound(ref, parsed.text);
}

/** The subscriber REF names in a list of them. */
export function resolveRef(subscribers: readonly Subscriber[], ref: string, country: string, where = 'REF'): Subscriber {
  const parsed = parseRef(ref, country, where);
  const matches = (s: Subscriber, key: SubscriberKey): boolean =>
    'id' in key ? s.id === key.id : 'email' in key ? s.email !== undefined && emailKey(s.email) === key.email : 'phone' in key ? s.phone === key.phone : s.whatsappUserId === key.userId;
  for (const key of parsed.keys) {
    const found = subscribers.find((s) => matches(s, key));
    if (found !== undefined) return found;
  }
  throw notFound(ref, parsed.text);
}
