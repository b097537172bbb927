import { emailKey, toEmail } from './email.js';
import { CanaleError } from './errors.js';
import { checkId } from './ids.js';
import { looksLikePhone, toE164 } from './phone.js';
import type { Subscriber } from './subscriber.js';
import { canaleCommand } from './shell-quote.js';

/**
 * Finds the subscriber a person means by REF: an id (`sub_…`), a phone number in any writing
 * (`333 123 4567`, `+39 333 1234567`, `0039…`), or an e-mail address in any case. A REF that starts like an id
 * (`sub_`, no `@`) must have an id's shape, or it is a usage error naming `where`. A WhatsApp user id finds its subscriber too.
 */
export function resolveRef(subscribers: readonly Subscriber[], ref: string, country: string, where = 'REF'): Subscriber {
  const trimmed = ref.trim();
  const text = /^sub_/i.test(trimmed) && !trimmed.includes('@') ? checkId('subscriber', trimmed, where) : trimmed;
  const byId = subscribers.find((s) => s.id === text);
  if (byId !== undefined) return byId;
  let found: Subscriber | undefined;
  if (text.includes('@')) {
    const email = toEmail(text);
    const key = emailKey(email ?? text);
    found = subscribers.find((s) => s.email !== undefined && emailKey(s.email) === key);
  } else if (looksLikePhone(text)) {
    const phone = toE164(text, country);
    if (phone !== undefined) found = subscribers.find((s) => s.phone === phone);
  }
  // a citizen who uses a WhatsApp username may be known by their user id alone
  found ??= subscribers.find((s) => s.whatsappUserId === text);
  if (found !== undefined) return found;
  throw new CanaleError(
    'SUBSCRIBER_NOT_FOUND',
    `no subscriber matches "${ref}" (an id, a phone number, a WhatsApp user id or an e-mail) — search with: ${canaleCommand('subscribers', 'list', '--search', text)}`,
  );
}
