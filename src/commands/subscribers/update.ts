import { applyAttributes, parseKeyValues } from '../../core/attributes.js';
import { CanaleError, usageError } from '../../core/errors.js';
import { landlineWarning } from '../../core/phone.js';
import { checkSubscriberDraft } from '../../core/subscriber-input.js';
import { parseRef, refHints, resolveRefIn } from '../../core/subscriber-ref.js';
import type { Subscriber } from '../../core/subscriber.js';
import { splitTopicList } from '../../core/topic.js';
import type { Context } from '../context.js';
import { invalidDraft } from './add.js';
import { subscriberJson } from './format.js';

/** Fields to change; `""` for phone, e-mail or name removes it; attributes with an empty value are removed. */
export interface SubscriberUpdateOptions {
  readonly ref: string;
  readonly name?: string;
  readonly phone?: string;
  readonly email?: string;
  readonly channel?: string;
  readonly topics?: readonly string[];
  readonly attributes: ReadonlyArray<{ key: string; value: string }>;
  readonly json: boolean;
}

/** The flags of `subscribers update`, as commander gives them. */
export interface SubscriberUpdateFlags {
  name?: string;
  phone?: string;
  email?: string;
  channel?: string;
  topics?: string;
  attr?: string[];
  json?: boolean;
}

export function parseSubscriberUpdate(
  ref: string,
  flags: SubscriberUpdateFlags,
): SubscriberUpdateOptions {
  const options: SubscriberUpdateOptions = {
    ref,
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags.phone === undefined ? {} : { phone: flags.phone }),
    ...(flags.email === undefined ? {} : { email: flags.email }),
    ...(flags.channel === undefined ? {} : { channel: flags.channel }),
    ...(flags.topics === undefined ? {} : { topics: splitTopicList(flags.topics) }),
    attributes: parseKeyValues(flags.attr ?? [], '--attr'),
    json: flags.json === true,
  };
  const changes = ['name', 'phone', 'email', 'channel', 'topics'].filter((k) => k in options);
  if (changes.length === 0 && options.attributes.length === 0) {
    throw usageError('NOTHING_TO_UPDATE', 'say what to change: --name, --phone, --email, --channel, --topics or --attr key=value');
  }
  return options;
}

/** The subscriber after the change, checked like a new one; topics the citizen left cannot be put back here. */
function applyUpdate(current: Subscriber, options: SubscriberUpdateOptions, context: Parameters<typeof checkSubscriberDraft>[1], now: string): Subscriber {
  const checked = checkSubscriberDraft(
    {
      name: options.name ?? current.name,
      phone: options.phone ?? current.phone,
      email: options.email ?? current.email,
      channel: options.channel ?? (options.phone === '' || options.email === '' ? undefined : current.channel),
      topics: options.topics ?? current.topics,
    },
    context,
  );
  if (!checked.ok) throw invalidDraft(checked.problems);
  const next = checked.value;
  const back = next.topics.filter((t) => (current.optedOutTopics ?? []).includes(t) && !current.topics.includes(t));
  if (back.length > 0) {
    throw new CanaleError(
      'TOPIC_OPTED_OUT',
      `${current.id} left topic ${back.join(', ')} on purpose — only the citizen's new consent puts it back: canale subscribers resubscribe ${current.id} --topic ${back[0]}`,
    );
  }
  const { name: _n, phone: _p, email: _e, ...rest } = current;
  return {
    ...rest,
    ...(next.name === undefined ? {} : { name: next.name }),
    ...(next.phone === undefined ? {} : { phone: next.phone }),
    ...(next.email === undefined ? {} : { email: next.email }),
    channel: next.channel,
    topics: next.topics,
    attributes: applyAttributes(current.attributes, options.attributes),
    updatedAt: now,
  };
}

export async function runSubscriberUpdate(options: SubscriberUpdateOptions, ctx: Context): Promise<void> {
  const country = await ctx.country();
  const now = ctx.now();
  const parsed = parseRef(options.ref, country);
  const updated = await (await ctx.subscribers()).transaction(refHints(parsed), (tx) => {
    const current = resolveRefIn(tx, options.ref, parsed);
    return tx.replace(applyUpdate(current, options, { country, topics: tx.topics() }, now));
  });
  if (options.json) ctx.ui.json(subscriberJson(updated));
  ctx.ui.success(`updated ${updated.id}`);
  const landline = landlineWarning(updated, country);
  if (landline !== undefined) ctx.ui.warn(landline);
}
