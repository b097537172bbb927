import { toEmail, type Email } from './email.js';
import { toE164, type E164 } from './phone.js';
import { isChannel, type Channel } from './subscriber.js';
import { isWhatsAppUserId, WHATSAPP_USER_ID_MAX } from './whatsapp-identity.js';
import { findTopic, type Topic, type TopicId } from './topic.js';

/** What a person or a file says about a citizen, before any checking. */
export interface SubscriberDraft {
  readonly name?: string;
  readonly phone?: string;
  /** A WhatsApp business-scoped user id (an export's `whatsapp_user_id`): an address for a citizen with no number. */
  readonly whatsappUserId?: string;
  readonly email?: string;
  readonly topics: readonly string[];
  readonly channel?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** The same, checked and normalised. */
export interface SubscriberInput {
  readonly name?: string;
  readonly phone?: E164;
  readonly whatsappUserId?: string;
  readonly email?: Email;
  readonly topics: readonly TopicId[];
  readonly channel: Channel;
  readonly attributes: Readonly<Record<string, string>>;
}

export type InputField = 'name' | 'phone' | 'whatsappUserId' | 'email' | 'topics' | 'channel';

/** One thing wrong with a draft: which field, the value as given, and why. */
export interface InputProblem {
  readonly field: InputField;
  readonly value: string;
  readonly reason: string;
}

export type CheckedDraft =
  | { readonly ok: true; readonly value: SubscriberInput }
  | { readonly ok: false; readonly problems: readonly InputProblem[] };

const CONTROL = /\p{Cc}/u;

// two spaces in a row, or a space other than ' ' (a tab, a no-break space): only then is a name rewritten
const MESSY_SPACE = /\s\s|[^\S ]/;

/** `  Maria   Rossi ` → `Maria Rossi`; undefined when empty. */
export function cleanName(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const name = (MESSY_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
  return name === '' ? undefined : name;
}

/**
 * Checks every field of a draft and reports every problem at once (an import names them all, not the first):
 * the phone in E.164 for `country`, the e-mail, at least one contact (a WhatsApp user id is one), known topics, and a
 * preferred channel that matches a contact the citizen has. Without a channel, WhatsApp is preferred when there is a
 * phone or a user id.
 */
export function checkSubscriberDraft(
  draft: SubscriberDraft,
  context: { readonly country: string; readonly topics: readonly Topic[] },
): CheckedDraft {
  const problems: InputProblem[] = [];
  const name = cleanName(draft.name);
  if (name !== undefined && (name.length > 200 || CONTROL.test(name))) {
    problems.push({ field: 'name', value: draft.name ?? '', reason: 'a name has at most 200 characters and no control characters' });
  }
  const phoneText = draft.phone?.trim() ?? '';
  const phone = phoneText === '' ? undefined : toE164(phoneText, context.country);
  if (phoneText !== '' && phone === undefined) {
    problems.push({ field: 'phone', value: phoneText, reason: `not a valid phone number (default country ${context.country.toUpperCase()})` });
  }
  const emailText = draft.email?.trim() ?? '';
  const email = emailText === '' ? undefined : toEmail(emailText);
  if (emailText !== '' && email === undefined) {
    problems.push({ field: 'email', value: emailText, reason: 'not a valid e-mail address' });
  }
  const userIdText = draft.whatsappUserId?.trim() ?? '';
  if (userIdText !== '' && !isWhatsAppUserId(userIdText)) {
    problems.push({ field: 'whatsappUserId', value: userIdText, reason: `a WhatsApp user id has at most ${WHATSAPP_USER_ID_MAX} characters, no control characters, and does not start with +` });
  }
  const onWhatsApp = phoneText !== '' || userIdText !== '';
  if (!onWhatsApp && emailText === '') {
    problems.push({ field: 'phone', value: '', reason: 'a subscriber needs a phone number or an e-mail address' });
  }
  const topics: TopicId[] = [];
  for (const wanted of draft.topics) {
    const topic = findTopic(context.topics, wanted);
    if (topic === undefined) {
      problems.push({ field: 'topics', value: wanted, reason: `unknown topic (known: ${context.topics.map((t) => t.id).join(', ')})` });
    } else if (!topics.includes(topic.id)) {
      topics.push(topic.id);
    }
  }
  const channelText = draft.channel?.trim().toLowerCase() ?? '';
  let channel: Channel = onWhatsApp ? 'whatsapp' : 'email';
  if (channelText !== '') {
    const alias = channelText === 'e-mail' || channelText === 'mail' ? 'email' : channelText;
    if (!isChannel(alias)) {
      problems.push({ field: 'channel', value: draft.channel ?? '', reason: 'the channel is whatsapp or email' });
    } else {
      channel = alias;
      if (alias === 'whatsapp' && !onWhatsApp) {
        problems.push({ field: 'channel', value: alias, reason: 'WhatsApp needs a phone number' });
      } else if (alias === 'email' && emailText === '') {
        problems.push({ field: 'channel', value: alias, reason: 'e-mail needs an e-mail address' });
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  // plain assignments, not conditional spreads: an import checks a million drafts
  const value: { -readonly [K in keyof SubscriberInput]: SubscriberInput[K] } = { topics, channel, attributes: draft.attributes ?? {} };
  if (name !== undefined) value.name = name;
  if (phone !== undefined) value.phone = phone;
  if (userIdText !== '') value.whatsappUserId = userIdText;
  if (email !== undefined) value.email = email;
  return { ok: true, value };
}
