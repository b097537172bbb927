import { hasAddress, planAudience, type AudienceQuery, type ChannelChoice, type SkipReason } from '../core/audience.js';
import type { CompiledMessage } from '../core/message/compile.js';
import { renderFor, type RenderContext } from '../core/message/render.js';
import { CHANNEL_NAME } from '../core/channels.js';
import { looksLikePhone } from '../core/phone.js';
import type { SendPlan } from '../core/plan.js';
import { byIdOf, type Channel, type Subscriber } from '../core/subscriber.js';

const LABEL = CHANNEL_NAME;
/** What a subscriber lacks who has no address on a channel. */
const ADDRESS_NAME: Readonly<Record<Channel, string>> = { whatsapp: 'phone number', email: 'e-mail address' };

/** Who a preview renders the message for, on which channels, and what a person must know about that choice. */
export interface PreviewTargets {
  readonly targets: ReadonlyArray<{ readonly subscriber: Subscriber; readonly channel: Channel }>;
  /** Lines saying who the message is shown for and why: outside the audience, another channel than they get… */
  readonly notes: readonly string[];
  /** For --to someone `canale send` would not send it to: who, and why. */
  readonly outside?: string;
  /** For --to: whether `canale send` would send to them, and on which channels. */
  readonly recipient?: { readonly id: string; readonly inAudience: boolean; readonly gets: readonly Channel[]; readonly reason?: string };
}

const nameOf = (s: Subscriber): string => (s.name === undefined ? s.id : `${s.name} (${s.id})`);

function outsideReason(s: Subscriber, reason: SkipReason | undefined, query: AudienceQuery, topicLabels: readonly string[]): string {
  switch (reason) {
    case undefined:
      return query.topics.some((t) => s.topics.includes(t))
        ? `does not match ${query.where.map((w) => `--where ${w.key}=${w.value}`).join(' ')}`
        : `does not follow ${topicLabels.join(', ')}`;
    case 'opted-out':
      return 'has unsubscribed from everything';
    case 'opted-out-of-topic':
      return `left ${topicLabels.join(', ')}`;
    case 'opted-out-during-send':
      return 'opted out while the send ran';
    case 'marketing-stopped':
      return 'stopped marketing messages in WhatsApp: a marketing template does not reach them (a utility one does)';
    case 'channel-not-in-message':
      return `prefers ${LABEL[s.channel]}, which this message does not use (channels: [${query.messageChannels.join(', ')}]) — send with --channel all to reach them on ${query.messageChannels.map((c) => LABEL[c]).join(' and ')}`;
    case 'no-address':
      return `has no ${ADDRESS_NAME[s.channel]} for their preferred channel`;
    case 'unreachable':
      return `their ${LABEL[s.channel]} is flagged unreachable`;
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

/**
 * `--to REF`: the channels asked for (`--channel`), else the one REF names (an e-mail address → e-mail, a phone
 * number → WhatsApp), else those they get; `--html` always adds the e-mail. Only channels the message has are drawn.
 * Says when they are outside the audience (still drawn) or get it on another channel than the one drawn.
 */
export function targetsForRef(subscriber: Subscriber, ref: string, choice: ChannelChoice, wantsHtml: boolean, message: CompiledMessage, query: AudienceQuery): PreviewTargets {
  const audience = planAudience([subscriber], { ...query, channel: 'preferred' });
  const gets = audience.deliveries.map((d) => d.channel);
  const named: Channel | undefined = ref.includes('@') ? 'email' : !ref.trim().startsWith('sub_') && looksLikePhone(ref) ? 'whatsapp' : undefined;
  const asked: Channel[] = choice === 'all' ? [...message.channels] : choice !== 'preferred' ? [choice] : named !== undefined ? [named] : gets.length > 0 ? gets : [subscriber.channel];
  if (wantsHtml && !asked.includes('email')) asked.push('email');
  const notes: string[] = [];
  for (const c of asked.filter((c) => !message.channels.includes(c))) notes.push(`this message has no ${LABEL[c]} version (channels: [${message.channels.join(', ')}])`);
  let channels = asked.filter((c) => message.channels.includes(c));
  if (channels.length === 0) channels = message.channels.filter((c) => hasAddress(subscriber, c)).slice(0, 1);
  const who = nameOf(subscriber);
  const inAudience = gets.length > 0;
  const reason = inAudience ? undefined : outsideReason(subscriber, audience.skipped[0]?.reason, query, message.topicLabels);
  const outside = inAudience ? undefined : `${who} is not in this message's audience: ${reason}; canale send would not send it to them — shown anyway`;
  if (inAudience) {
    const other = channels.filter((c) => !gets.includes(c));
    const also = channels.some((c) => gets.includes(c)) ? 'also ' : '';
    if (other.length > 0) notes.push(`${who} gets this message by ${gets.map((c) => LABEL[c]).join(' and ')} (canale send, their preferred channel); shown here ${also}by ${other.map((c) => LABEL[c]).join(' and ')}`);
  }
  return {
    targets: channels.map((channel) => ({ subscriber, channel })),
    notes,
    ...(outside === undefined ? {} : { outside }),
    recipient: { id: subscriber.id, inAudience, gets, ...(reason === undefined ? {} : { reason }) },
  };
}

function renders(message: CompiledMessage, s: Subscriber, channel: Channel, render: RenderContext): boolean {
  const origin = { recipientKey: s.id };
  return renderFor(channel, message, s, origin, render).ok;
}

/**
 * Without --to: the message most recipients get (WhatsApp when most of the audience gets WhatsApp), or each channel
 * `--channel` asks for, for the first recipient it can be rendered for. The audience itself does not change.
 */
export function sampleTargets(plan: SendPlan, subscribers: readonly Subscriber[], choice: ChannelChoice, message: CompiledMessage, render: RenderContext): PreviewTargets {
  const byId = byIdOf(subscribers);
  const majority: Channel = plan.recipients.whatsapp >= plan.recipients.email ? 'whatsapp' : 'email';
  const channels: Channel[] = choice === 'all' ? [...message.channels] : choice === 'preferred' ? (plan.recipients.total > 0 ? [majority] : []) : [choice];
  const targets: Array<{ subscriber: Subscriber; channel: Channel }> = [];
  const notes: string[] = [];
  const people = plan.audience.deliveries.map((d) => byId.get(d.subscriberId)).filter((s): s is Subscriber => s !== undefined);
  for (const channel of channels) {
    if (!message.channels.includes(channel)) {
      notes.push(`this message has no ${LABEL[channel]} version (channels: [${message.channels.join(', ')}])`);
      continue;
    }
    const onChannel = plan.audience.deliveries.filter((d) => d.channel === channel).map((d) => byId.get(d.subscriberId));
    // someone who gets it on this channel (one it cannot be rendered for, if that is all: the warning says why);
    // only when nobody does, someone of the audience who has an address there
    const subscriber =
      onChannel.length > 0
        ? (onChannel.find((s) => s !== undefined && renders(message, s, channel, render)) ?? onChannel.find((s) => s !== undefined))
        : people.find((s) => hasAddress(s, channel) && renders(message, s, channel, render));
    if (subscriber === undefined) {
      notes.push(`nobody in the audience has an address for ${LABEL[channel]}: there is no ${LABEL[channel]} message to show`);
      continue;
    }
    const count = plan.recipients[channel];
    notes.push(
      count > 0
        ? `shown: the ${LABEL[channel]} message, as ${count} of ${plan.recipients.total} recipient(s) get it, for ${nameOf(subscriber)}`
        : `shown: the ${LABEL[channel]} message for ${nameOf(subscriber)}, though nobody gets it by ${LABEL[channel]} as each recipient's preferred channel`,
    );
    targets.push({ subscriber, channel });
  }
  return { targets, notes };
}
