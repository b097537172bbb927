import { parseDateCell } from '../../core/date-cell.js';
import { applyAttributes, parseKeyValues } from '../../core/attributes.js';
import { CanaleError, usageError } from '../../core/errors.js';
import { landlineWarning } from '../../core/phone.js';
import { checkSubscriberDraft, type InputProblem, type SubscriberDraft } from '../../core/subscriber-input.js';
import type { SubscriberId } from '../../core/subscriber.js';
import { splitTopicList } from '../../core/topic.js';
import type { Context } from '../context.js';
import { subscriberJson } from './format.js';

export interface SubscriberAddOptions {
  readonly draft: SubscriberDraft;
  readonly consentSource: string;
  readonly consentNote?: string;
  readonly consentAt?: string;
  readonly json: boolean;
}

export interface SubscriberAddFlags {
  phone?: string;
  email?: string;
  name?: string;
  topics?: string;
  channel?: string;
  attr?: string[];
  consentSource?: string;
  consentNote?: string;
  consentAt?: string;
  json?: boolean;
}

/** Reads `subscribers add` flags into options; the values themselves are checked against the store's topics later. */
export function parseSubscriberAdd(flags: SubscriberAddFlags): SubscriberAddOptions {
  const topics = splitTopicList(flags.topics ?? '');
  if (topics.length === 0) throw usageError('TOPICS_MISSING', 'say which topics the citizen follows: --topics cantieri,scuola');
  if ((flags.phone ?? '').trim() === '' && (flags.email ?? '').trim() === '') {
    throw usageError('CONTACT_MISSING', 'a subscriber needs --phone or --email (or both)');
  }
  // checked here (any zone tells a date from a non-date); read in the city's timezone when the command runs
  const consentAt = flags.consentAt?.trim();
  if (consentAt !== undefined && parseDateCell(consentAt, 'UTC') === undefined) {
    throw usageError('CONSENT_AT_INVALID', `--consent-at "${flags.consentAt ?? ''}" is not a date — write it like 2026-11-28, 28/11/2026 10:30 or 2026-11-28T10:30:00+01:00`);
  }
  const attributes = applyAttributes({}, parseKeyValues(flags.attr ?? [], '--attr'));
  return {
    draft: { name: flags.name, phone: flags.phone, email: flags.email, topics, channel: flags.channel, attributes },
    consentSource: flags.consentSource?.trim() || 'cli',
    ...(flags.consentNote?.trim() ? { consentNote: flags.consentNote.trim() } : {}),
    ...(consentAt === undefined ? {} : { consentAt }),
    json: flags.json === true,
  };
}

/** One line naming each flag that is wrong, its value and why. */
export function invalidDraft(problems: readonly InputProblem[]): CanaleError {
  return new CanaleError('SUBSCRIBER_INVALID', problems.map((p) => `--${p.field} "${p.value}": ${p.reason}`).join('; '));
}

/** Adds one citizen with their consent; refuses a phone or e-mail that another subscriber already has. */
export async function runSubscriberAdd(options: SubscriberAddOptions, ctx: Context): Promise<void> {
  const country = await ctx.country();
  const subscribers = await ctx.subscribers();
  const now = ctx.now();
  const id = ctx.deps.ids.next('sub_') as SubscriberId;
  // a date without a time is that day in the city (midnight local), as an imported sheet's date is
  const read = options.consentAt === undefined ? undefined : parseDateCell(options.consentAt, (await ctx.settings()).get('timezone'));
  const consentAt = read === undefined ? undefined : new Date(read).toISOString();
  const checked = checkSubscriberDraft(options.draft, { country, topics: await subscribers.topics() });
  if (!checked.ok) throw invalidDraft(checked.problems);
  const input = checked.value;
  const hints = { ...(input.phone === undefined ? {} : { phones: [input.phone] }), ...(input.email === undefined ? {} : { emails: [input.email] }) };
  const subscriber = await subscribers.transaction(hints, (tx) => {
    // the topics are checked again against the catalogue as the transaction sees it: one removed meanwhile is refused
    const again = checkSubscriberDraft(options.draft, { country, topics: tx.topics() });
    if (!again.ok) throw invalidDraft(again.problems);
    return tx.add(again.value, {
      id,
      now,
      consent: {
        source: options.consentSource,
        at: consentAt ?? now,
        ...(options.consentNote === undefined ? {} : { note: options.consentNote }),
      },
    });
  });
  if (options.json) ctx.ui.json(subscriberJson(subscriber));
  else ctx.ui.out(subscriber.id);
  ctx.ui.success(`added ${subscriber.id}${subscriber.name ? ` (${subscriber.name})` : ''} to ${subscriber.topics.join(', ')} via ${subscriber.channel}`);
  const landline = landlineWarning(subscriber, country);
  if (landline !== undefined) ctx.ui.warn(landline);
}
