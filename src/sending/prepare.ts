import { chooseTransport, frozenTransports, type TransportChoice } from '../adapters/transports/choose.js';
import type { Settings } from '../core/settings.js';
import { countByChannel, planAudience, type AudienceQuery, type ChannelChoice } from '../core/audience.js';
import { CanaleError, usageError } from '../core/errors.js';
import type { CompiledMessage } from '../core/message/compile.js';
import { INLINE_TEXT, type MessageSpec } from '../core/message/message-spec.js';
import { planSend, planWarnings, type SendPlan } from '../core/plan.js';
import type { SubscriberStore } from '../core/ports.js';
import type { Channel, Subscriber } from '../core/subscriber.js';
import type { TransportName } from '../core/transport.js';
import { closestName } from '../core/closest-name.js';
import { describeUnknownTopics, findTopic, type TopicId } from '../core/topic.js';
import { planSettingsOf, ratesOf, renderContextOf, type PlanSettings } from './plan-settings.js';
import type { Sending } from './sending.js';
import { compileForSend, readSnapshot, type SendSnapshot } from './send-snapshot.js';
import { delivering, quietConflict, whatsAppQuota, whatsAppRecipients } from './send-window.js';
import { unsubscribeVerdict } from './unsubscribe-check.js';

/** The transport's name of each channel. */
export function namesOf(choices: Readonly<Partial<Record<Channel, TransportChoice>>>): Partial<Record<Channel, TransportChoice['name']>> {
  return Object.fromEntries(Object.entries(choices).map(([c, choice]) => [c, choice.name]));
}

/** The transport of one channel, as DESIGN §3 chooses it; `--via` applies where it fits the channel. */
export function transportFor(channel: Channel, settings: Settings, via: TransportName | undefined): TransportChoice {
  const fits = via === 'outbox' || (via === 'cloud-api' && channel === 'whatsapp') || (via === 'smtp' && channel === 'email');
  return chooseTransport(channel, settings, fits ? via : undefined);
}

/** Transports for the channels that have recipients: those the request froze, else as DESIGN §3 chooses. */
function chooseTransports(plan: SendPlan, settings: Settings, request: SendRequest, home: string): Partial<Record<Channel, TransportChoice>> {
  const used = (['whatsapp', 'email'] as const).filter((c) => plan.recipients[c] > 0);
  const frozen = request.frozen;
  const planned = frozen === undefined ? {} : Object.fromEntries(used.flatMap((c) => (frozen.transports[c] === undefined ? [] : [[c, frozen.transports[c]]])));
  const choices: Partial<Record<Channel, TransportChoice>> = frozen === undefined ? {} : frozenTransports(planned, settings, { home, what: frozen.what });
  for (const channel of used) choices[channel] ??= transportFor(channel, settings, request.via);
  return choices;
}

/** What a send is asked to do, however it was asked: `canale send` or a schedule. */
export interface SendRequest {
  readonly spec: MessageSpec;
  readonly topics: readonly string[];
  readonly where: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly channel: ChannelChoice;
  readonly via?: TransportName;
  readonly rate?: number;
  readonly urgent: boolean;
  readonly split: boolean;
  readonly allowFreeText: boolean;
  /** E-mail without an unsubscribe link was allowed (`--allow-no-unsubscribe`). */
  readonly allowNoUnsubscribe?: boolean;
  /** The transports a schedule was planned with, and what to call it in an error ("schedule sch_…"). */
  readonly frozen?: { readonly transports: Readonly<Partial<Record<Channel, TransportName>>>; readonly what: string };
}

/** A send planned and checked, ready to be frozen into a campaign: the one value preview, confirmation and run share. */
export interface PreparedSend {
  readonly request: SendRequest;
  readonly plan: SendPlan;
  readonly message: CompiledMessage;
  readonly choices: Partial<Record<Channel, TransportChoice>>;
  readonly warnings: readonly string[];
  readonly subscribers: readonly Subscriber[];
  readonly planSettings: PlanSettings;
  readonly settings: Settings;
  readonly rates: Readonly<Record<Channel, number>>;
  /** The attribute keys the store's subscribers have, for `--where`. */
  readonly attributes: readonly string[];
  /** The erasure mark from before the store was read (CampaignStore.erasureMark). */
  readonly erasureMark: string;
  /** Where the opt-out feed ended before the store was read: the send honours every opt-out from there on. */
  readonly optOutsFrom: number;
}

/**
 * Plans a send against the store as it is now and checks what would stop it: recipients who cannot get the
 * message, free text through the Cloud API without the flag. Prints nothing.
 */
export async function prepareSend(request: SendRequest, sending: Sending): Promise<PreparedSend> {
  const { ports } = sending;
  // before the store is read: a forget from here on is one the freeze must check for (DESIGN §5)
  const erasureMark = await ports.campaigns.erasureMark();
  const optOutsFrom = await ports.events.optOutMark();
  const scanned = await readForSend(request, ports.subscribers);
  let snapshot = scanned.snapshot;
  let message = compileForSend(request.spec, snapshot, request.topics);
  if (message.topics.some((t) => !scanned.wanted.has(t))) {
    // a topic was added between reading the catalogue and the subscribers: plan on the whole store instead
    snapshot = await readSnapshot(ports.subscribers, {}, request.spec);
    message = compileForSend(request.spec, snapshot, request.topics);
  }
  const planSettings = planSettingsOf(sending.settings, sending.clock);
  const settings = sending.settings;
  const render = renderContextOf(planSettings);
  const rates = ratesOf(planSettings, request.rate);
  const query = { topics: message.topics, where: request.where, channel: request.channel, messageChannels: message.channels, isWhatsAppMarketing: message.whatsappTemplate?.category === 'MARKETING' };
  refuseMissingSubject(request.spec, snapshot.subscribers, query);
  const plan = planSend({
    message,
    subscribers: snapshot.subscribers,
    query,
    rates,
    prices: planSettings.prices,
    ...(message.whatsappTemplate === undefined ? {} : { templateCategory: message.whatsappTemplate.category }),
  });
  const choices = chooseTransports(plan, settings, request, sending.home);
  const quota = plan.recipients.whatsapp > 0 ? await whatsAppQuota(ports.campaigns, sending.clock.now(), planSettings, whatsAppRecipients(plan)) : undefined;
  const unsubscribe = unsubscribeVerdict(planSettings, plan.recipients.email, choices.email?.name, request.allowNoUnsubscribe === true);
  const warnings = planWarnings(plan, message, {
    hasUnsubscribeLinks: render.links.urlFor('x', undefined) !== undefined,
    ...(choices.whatsapp === undefined ? {} : { whatsappTransport: choices.whatsapp.name }),
    ...(quota === undefined ? {} : { whatsappQuota: quota }),
    split: request.split,
  });
  if (unsubscribe !== undefined && 'warn' in unsubscribe) warnings.push(unsubscribe.warn);
  const attributes = [...scanned.snapshot.fields].filter((f) => !['name', 'phone', 'email'].includes(f));
  return { request, plan, message, choices, warnings, subscribers: snapshot.subscribers, planSettings, settings, rates, attributes, erasureMark, optOutsFrom };
}

/**
 * The store as a send needs it, read as a stream: every subscriber's fields are noted (a placeholder is checked
 * against all of them), but only those who follow or left one of the message's topics are kept — the audience and
 * those skipped from it — so a send to one topic of a million subscribers holds only that topic's people.
 */
async function readForSend(request: SendRequest, store: SubscriberStore): Promise<{ snapshot: SendSnapshot; wanted: ReadonlySet<string> }> {
  const catalogue = await store.topics();
  // a --topic the catalogue does not know is the flag's fault, whatever the message is
  const unknown = request.topics.filter((name) => findTopic(catalogue, name) === undefined);
  if (unknown.length > 0) throw new CanaleError('TOPIC_UNKNOWN', `--topic: ${describeUnknownTopics(catalogue, unknown)}`);
  const wanted = new Set<TopicId>();
  for (const name of [...request.spec.topics, ...request.topics]) {
    const topic = findTopic(catalogue, name);
    if (topic !== undefined) wanted.add(topic.id);
  }
  // topics the catalogue did not know are left to the compiler, which names them
  return { snapshot: await readSnapshot(store, { filter: { touching: [...wanted] } }, request.spec), wanted };
}

/**
 * A `--where` key no subscriber has as an attribute matches nobody: a typo (`municipo`) is named with what it
 * likely meant, rather than planning a send to no one. For sends a person starts (a schedule that fires later
 * goes to whoever matches then).
 */
export function refuseUnknownWhere(prepared: PreparedSend): void {
  const { attributes } = prepared;
  for (const { key, value } of prepared.request.where) {
    if (attributes.includes(key)) continue;
    const guess = closestName(key, attributes);
    throw new CanaleError(
      'WHERE_UNKNOWN',
      `--where ${key}=${value}: no subscriber has the attribute "${key}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`} — attributes: ${attributes.join(', ') || '(none yet: add them with --attr or an import)'}`,
    );
  }
}

/**
 * A `--text` message without `--subject` has no e-mail version: when some recipients would get it by e-mail, the
 * flag they need is named (a usage error, exit 2), with the way to send on WhatsApp only.
 */
function refuseMissingSubject(spec: MessageSpec, subscribers: readonly Subscriber[], query: AudienceQuery): void {
  if (spec.source !== INLINE_TEXT || spec.subject !== undefined) return;
  // who would get it by e-mail if it had an e-mail version
  const byEmail = countByChannel(planAudience(subscribers, { ...query, messageChannels: ['whatsapp', 'email'] }).deliveries).email;
  if (byEmail === 0) return;
  throw usageError(
    'SEND_SUBJECT_MISSING',
    `${byEmail} recipient(s) get this by e-mail, which needs a subject: add --subject "…" (or --channel whatsapp to send it only to those on WhatsApp)`,
  );
}

/**
 * The checks that stop a send before anything is frozen: blocked recipients, free text through the Cloud API,
 * e-mail to citizens without a one-click unsubscribe link or with an http one (unsubscribe-check.ts).
 */
export function refuseIfBlocked(prepared: PreparedSend): void {
  const { plan, request, choices } = prepared;
  if (plan.blocked.length > 0) {
    throw new CanaleError('SEND_BLOCKED', `${plan.blocked.reduce((n, b) => n + b.count, 0)} recipient(s) cannot get this message as it is (see above) — add a default ({{nome | "…"}}) or fix their data; nothing was sent`);
  }
  if (request.spec.whatsapp === undefined && choices.whatsapp?.name === 'cloud-api' && !request.allowFreeText) {
    throw usageError('SEND_FREE_TEXT', 'free text through the Cloud API reaches only citizens who wrote in the last 24 hours: use a template (whatsapp.template), or add --allow-free-text');
  }
  const unsubscribe = unsubscribeVerdict(prepared.planSettings, plan.recipients.email, choices.email?.name, request.allowNoUnsubscribe === true);
  if (unsubscribe !== undefined && 'refuse' in unsubscribe) throw new CanaleError('SEND_NO_UNSUBSCRIBE', unsubscribe.refuse);
}

/**
 * Why a send a person starts now would break quiet hours — inside them, or running into them by its estimated
 * length — or undefined. `--urgent` sends anyway.
 */
export function quietHoursConflict(prepared: PreparedSend, now: Date): string | undefined {
  if (prepared.request.urgent) return undefined;
  const { recipients, rates } = prepared.plan;
  const seconds: Partial<Record<Channel, number>> = {};
  for (const channel of delivering(['whatsapp', 'email'], namesOf(prepared.choices))) seconds[channel] = recipients[channel] / Math.max(rates[channel], 0.001);
  if (seconds.whatsapp !== undefined && prepared.request.split && prepared.planSettings.whatsappDailyLimit !== undefined) {
    seconds.whatsapp = Math.min(recipients.whatsapp, prepared.planSettings.whatsappDailyLimit) / Math.max(rates.whatsapp, 0.001);
  }
  return quietConflict(prepared.planSettings, seconds, now);
}
