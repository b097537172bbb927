import { countByChannel, countSkips, hasAddress, isUnreachable, planAudience, type Audience, type AudienceQuery, type SkipReason } from './audience.js';
import type { CompiledMessage } from './message/compile.js';
import { INLINE_TEXT } from './message/message-spec.js';
import { refusalFor } from './message/render.js';
import { byIdOf, type Channel, type Subscriber, type SubscriberId } from './subscriber.js';

/** Prices per message, per channel (and WhatsApp template category), in `currency`; zero when unset. */
export interface Prices {
  readonly currency: string;
  readonly whatsappTemplate: (category: string | undefined) => number;
  readonly whatsappText: number;
  readonly email: number;
}

export interface PlanInput {
  readonly message: CompiledMessage;
  readonly subscribers: readonly Subscriber[];
  readonly query: AudienceQuery;
  readonly rates: Readonly<Record<Channel, number>>;
  readonly prices: Prices;
  /** The WhatsApp template's category, when the message uses one. */
  readonly templateCategory?: string;
}

/** Recipients who cannot get the message as it is, grouped by what is wrong, with the first few named. */
export interface Blocked {
  readonly channel: Channel;
  readonly problem: string;
  readonly count: number;
  readonly examples: readonly string[];
}

/**
 * The plan of a send, computed before anything is sent; `preview`, `send --dry-run`, the confirmation and the
 * send itself all use this one value (DESIGN §8).
 */
export interface SendPlan {
  /** What is sent: where the message comes from (a file, or `--text`), its e-mail subject, its WhatsApp template. */
  readonly message: MessageSummary;
  readonly topics: readonly string[];
  readonly channels: readonly Channel[];
  readonly audience: Audience;
  readonly recipients: Readonly<Record<Channel, number>> & { readonly total: number };
  readonly skipped: ReadonlyArray<{ readonly reason: SkipReason; readonly count: number }>;
  readonly blocked: readonly Blocked[];
  readonly rates: Readonly<Record<Channel, number>>;
  /** Channels send side by side, so the longest one sets the duration. */
  readonly estimatedSeconds: number;
  readonly cost: { readonly currency: string; readonly total: number; readonly byChannel: Readonly<Record<Channel, number>> };
  /**
   * Followers left out because they prefer a channel the message does not use (`channels: [email]` and they prefer
   * WhatsApp): how many, and how many `--channel all` would reach on a channel the message has. Only when any.
   */
  readonly missed?: { readonly preferred: Channel; readonly count: number; readonly reachable: number };
  /** Who the preview shows: the first recipient who can be rendered. */
  readonly sample?: { readonly subscriberId: SubscriberId; readonly channel: Channel };
}

/** The message a plan sends, as the plan and the confirmation name it. */
export interface MessageSummary {
  readonly source: string;
  readonly subject?: string;
  readonly whatsappTemplate?: { readonly name: string; readonly language: string };
  /** The text itself, for a message given inline (`--text`). */
  readonly text?: string;
}

/** What names a message for the person who confirms its send. */
export function summarizeMessage(message: CompiledMessage): MessageSummary {
  const { spec } = message;
  return {
    source: spec.source,
    ...(message.email === undefined ? {} : { subject: message.email.subject }),
    ...(spec.whatsapp === undefined || !message.channels.includes('whatsapp') ? {} : { whatsappTemplate: { name: spec.whatsapp.template, language: spec.whatsapp.language } }),
    ...(spec.source === INLINE_TEXT ? { text: spec.body } : {}),
  };
}

const EXAMPLES = 3;

export function planSend(input: PlanInput): SendPlan {
  const audience = planAudience(input.subscribers, input.query);
  const byId = byIdOf(input.subscribers);
  const blocked = new Map<string, { channel: Channel; problem: string; count: number; examples: string[] }>();
  let sample: SendPlan['sample'];
  for (const delivery of audience.deliveries) {
    const subscriber = byId.get(delivery.subscriberId);
    if (subscriber === undefined) continue;
    const refusal = refusalFor(delivery.channel, input.message, subscriber);
    if (refusal === undefined) {
      sample ??= delivery;
      continue;
    }
    const problems = [...refusal.missing.map((field) => `no value for {{${field}}} and no default`), ...refusal.problems];
    for (const problem of problems) {
      const key = `${delivery.channel}\u0000${problem}`;
      const entry = blocked.get(key) ?? { channel: delivery.channel, problem, count: 0, examples: [] };
      entry.count++;
      if (entry.examples.length < EXAMPLES) entry.examples.push(subscriber.name === undefined ? subscriber.id : `${subscriber.name} (${subscriber.id})`);
      blocked.set(key, entry);
    }
  }
  const recipients = countByChannel(audience.deliveries);
  const missed = missedFollowers(audience, byId, input.query);
  const whatsappPrice = input.message.spec.whatsapp === undefined ? input.prices.whatsappText : input.prices.whatsappTemplate(input.templateCategory);
  const byChannel = { whatsapp: round(recipients.whatsapp * whatsappPrice), email: round(recipients.email * input.prices.email) };
  const seconds = (channel: Channel) => (recipients[channel] === 0 ? 0 : recipients[channel] / Math.max(input.rates[channel], 0.001));
  return {
    message: summarizeMessage(input.message),
    topics: input.message.topics,
    channels: input.message.channels,
    audience,
    recipients: { ...recipients, total: recipients.whatsapp + recipients.email },
    skipped: countSkips(audience.skipped),
    blocked: [...blocked.values()],
    rates: input.rates,
    estimatedSeconds: Math.ceil(Math.max(seconds('whatsapp'), seconds('email'))),
    cost: { currency: input.prices.currency, total: round(byChannel.whatsapp + byChannel.email), byChannel },
    ...(missed === undefined ? {} : { missed }),
    ...(sample === undefined ? {} : { sample }),
  };
}

/** Followers skipped because the message has no version on their preferred channel, and who else could reach them. */
function missedFollowers(audience: Audience, byId: ReadonlyMap<string, Subscriber>, query: PlanInput['query']): SendPlan['missed'] {
  let count = 0;
  let reachable = 0;
  let preferred: Channel | undefined;
  for (const skip of audience.skipped) {
    if (skip.reason !== 'channel-not-in-message' || skip.channel === undefined) continue;
    const subscriber = byId.get(skip.subscriberId);
    count++;
    preferred ??= skip.channel;
    if (subscriber !== undefined && query.messageChannels.some((c) => hasAddress(subscriber, c) && !isUnreachable(subscriber, c))) reachable++;
  }
  return preferred === undefined ? undefined : { preferred, count, reachable };
}

function round(amount: number): number {
  return Math.round(amount * 10_000) / 10_000;
}

/** What the plan is checked against, beyond the message and the audience. */
export interface WarningContext {
  /** Whether e-mails will carry an unsubscribe link (a public URL and a secret are configured). */
  readonly hasUnsubscribeLinks: boolean;
  /** The WhatsApp account's unique-recipients-per-24-hours tier, when configured, and how much of it is left now. */
  readonly whatsappQuota?: {
    readonly limit: number;
    readonly used: number;
    readonly remaining: number;
    /** The plan's WhatsApp recipients not messaged in the last 24 hours: each takes a new place. */
    readonly fresh?: number;
  };
  /** The send goes in parts by that tier (`--split`). */
  readonly split?: boolean;
  /** The WhatsApp transport, when one is chosen: free text through the Cloud API is refused without a flag. */
  readonly whatsappTransport?: string;
}

/** Warnings a person must read before sending this message (preview, the plan before a send). */
export function planWarnings(plan: SendPlan, message: CompiledMessage, context: WarningContext): string[] {
  const warnings: string[] = [];
  if (message.spec.whatsapp === undefined && plan.recipients.whatsapp > 0) {
    warnings.push(
      `free text on WhatsApp reaches only citizens who wrote to the city in the last 24 hours; use an approved template (whatsapp.template) for everyone else${context.whatsappTransport === 'cloud-api' ? ' — send refuses it through the Cloud API without --allow-free-text' : ''}`,
    );
  }
  const quota = context.whatsappQuota;
  if (quota !== undefined && (quota.fresh ?? plan.recipients.whatsapp) > quota.remaining) {
    const tier = `the account's tier of ${quota.limit} unique recipients in 24 hours${quota.used > 0 ? ` (${quota.used} used in the last 24 hours, ${quota.remaining} left)` : ''}`;
    warnings.push(
      context.split === true
        ? `${quota.fresh ?? plan.recipients.whatsapp} WhatsApp recipients is more than ${tier}: --split sends what the tier allows now and the rest when it frees up (the first canale schedule run from then)`
        : `${quota.fresh ?? plan.recipients.whatsapp} WhatsApp recipients is more than ${tier}: WhatsApp will not deliver to the rest until the 24-hour window frees up — add --split to send the rest then`,
    );
  }
  if (plan.missed !== undefined) warnings.push(missedWarning(plan.missed, plan.channels));
  if (!context.hasUnsubscribeLinks && plan.recipients.email > 0) warnings.push('e-mails carry no unsubscribe link: set publicUrl and unsubscribeSecret (canale config set …)');
  for (const b of plan.blocked) {
    warnings.push(`${b.count} ${b.channel} recipient(s) cannot get this message: ${b.problem} — e.g. ${b.examples.join(', ')}; this blocks the send`);
  }
  return warnings;
}

const CHANNEL_LABEL: Readonly<Record<Channel, string>> = { whatsapp: 'WhatsApp', email: 'e-mail' };

/** "2 followers prefer WhatsApp, which this message does not use: …", with what reaches them. */
function missedWarning(missed: NonNullable<SendPlan['missed']>, channels: readonly Channel[]): string {
  const used = channels.map((c) => CHANNEL_LABEL[c]).join(' and ');
  const head = `${missed.count} follower(s) of these topics prefer ${CHANNEL_LABEL[missed.preferred]}, which this message does not use (channels: [${channels.join(', ')}]), and will not get it`;
  const rest = missed.count - missed.reachable;
  if (missed.reachable === 0) return `${head}; none of them has an address for ${used} — give the message a ${CHANNEL_LABEL[missed.preferred]} version to reach them`;
  return `${head} — ${missed.reachable} of them can get it by ${used}: send with --channel all to reach them${rest > 0 ? ` (${rest} have no address for ${used})` : ''}`;
}
