import { readErasureMark } from '../../adapters/campaign/erasure-mark.js';
import { optOutMark } from '../../adapters/optout/optout-feed.js';
import { chooseTransport, frozenTransports, REAL_TRANSPORT, type TransportChoice } from '../../adapters/transports/select.js';
import { countByChannel, planAudience, type AudienceQuery } from '../../core/audience.js';
import { CanaleError, usageError } from '../../core/errors.js';
import { compileMessage, type CompiledMessage } from '../../core/message/compile.js';
import { INLINE_TEXT, type MessageSpec } from '../../core/message/message-spec.js';
import { knownFields } from '../../core/message/placeholders.js';
import { planSend, planWarnings, type SendPlan } from '../../core/plan.js';
import type { Store } from '../../core/ports.js';
import type { StoreData } from '../../core/store-data.js';
import type { Channel, Subscriber } from '../../core/subscriber.js';
import type { TransportName } from '../../core/transport.js';
import { closestName } from '../../core/closest-name.js';
import { describeUnknownTopics, findTopic } from '../../core/topic.js';
import type { Settings } from '../../core/settings.js';
import type { Context } from '../context.js';
import { syncedTemplates } from '../message-context.js';
import { planSettingsOf, renderContextOf, withRate, type PlanSettings } from '../preview/plan-settings.js';
import type { CampaignSendOptions } from './campaign-options.js';
import { whatsAppQuota, whatsAppRecipients } from './send-window.js';
import { unsubscribeVerdict } from './unsubscribe-check.js';

/**
 * The message checked against the store's topics, fields and synced templates; any problem stops the send.
 * `fields` are the placeholders the store's subscribers can fill, when they were gathered while reading it.
 */
export function compileForSend(spec: MessageSpec, data: StoreData, extraTopics: readonly string[], fields = knownFields(data.subscribers)): CompiledMessage {
  const compiled = compileMessage(spec, { topics: data.topics, knownFields: fields, templates: syncedTemplates(data) }, extraTopics);
  if (!compiled.ok) {
    // the text of --text is all of its body: "--text: unknown placeholder …", not "--text: body: …"
    const problems = spec.source === INLINE_TEXT ? compiled.problems.map((p) => p.replace(/^body: /, '')) : compiled.problems;
    throw new CanaleError('MESSAGE_INVALID', `${spec.source}: ${problems.join('\n  ')}`);
  }
  return compiled.message;
}

/** The transport's name of each channel. */
export function namesOf(choices: Readonly<Partial<Record<Channel, TransportChoice>>>): Partial<Record<Channel, TransportChoice['name']>> {
  return Object.fromEntries(Object.entries(choices).map(([c, choice]) => [c, choice.name]));
}

/** The transport of one channel, as DESIGN §3 chooses it; `--via` applies where it fits the channel. */
export function transportFor(channel: Channel, settings: Settings, via: CampaignSendOptions['via']): TransportChoice {
  const fits = via === 'outbox' || via === REAL_TRANSPORT[channel];
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
  readonly where: CampaignSendOptions['where'];
  readonly channel: CampaignSendOptions['channel'];
  readonly via?: CampaignSendOptions['via'];
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
  readonly subscribers: StoreData['subscribers'];
  readonly planSettings: PlanSettings;
  readonly settings: Settings;
  readonly rates: Readonly<Record<Channel, number>>;
  /** The attribute keys the store's subscribers have, for `--where`. */
  readonly attributes: readonly string[];
  /** The home's erasure mark from before the store was read (adapters/campaign/erasure-mark.ts). */
  readonly erasureMark: string;
  /** Where the opt-out feed ended before the store was read: the send honours every opt-out from there on. */
  readonly optOutsFrom: number;
}

/**
 * Plans a send against the store as it is now and checks what would stop it: recipients who cannot get the
 * message, free text through the Cloud API without the flag. Prints nothing.
 */
export async function prepareSend(request: SendRequest, ctx: Context): Promise<PreparedSend> {
  const store = await ctx.store();
  // before the store is read: a forget from here on is one the freeze must check for (DESIGN §5)
  const erasureMark = await readErasureMark(ctx.paths.home);
  const optOutsFrom = await optOutMark(ctx.paths.home);
  const scanned = await readForSend(request, store);
  let data = scanned.data;
  let message = compileForSend(request.spec, data, request.topics, scanned.fields);
  if (message.topics.some((t) => !scanned.wanted.has(t))) {
    // a topic was added between reading the catalogue and the subscribers: plan on the whole store instead
    data = await store.read();
    message = compileForSend(request.spec, data, request.topics);
  }
  const settings = withRate(await ctx.settings(), request.rate);
  const planSettings = planSettingsOf(settings, ctx.deps.clock);
  const render = renderContextOf(planSettings);
  const rates = planSettings.rates;
  const query = { topics: message.topics, where: request.where, channel: request.channel, messageChannels: message.channels, isWhatsAppMarketing: message.whatsappTemplate?.category === 'MARKETING' };
  refuseMissingSubject(request.spec, data.subscribers, query);
  const plan = planSend({
    message,
    subscribers: data.subscribers,
    query,
    rates,
    prices: planSettings.prices,
    ...(message.whatsappTemplate === undefined ? {} : { templateCategory: message.whatsappTemplate.category }),
    render,
  });
  const choices = chooseTransports(plan, settings, request, ctx.paths.home);
  const quota = plan.recipients.whatsapp > 0 ? await whatsAppQuota(ctx, planSettings, whatsAppRecipients(plan)) : undefined;
  const unsubscribe = unsubscribeVerdict(planSettings, plan.recipients.email, choices.email?.name, request.allowNoUnsubscribe === true);
  const warnings = planWarnings(plan, message, {
    hasUnsubscribeLinks: render.links.urlFor('x', undefined) !== undefined,
    ...(choices.whatsapp === undefined ? {} : { whatsappTransport: choices.whatsapp.name }),
    ...(quota === undefined ? {} : { whatsappQuota: quota }),
    split: request.split,
  });
  if (unsubscribe !== undefined && 'warn' in unsubscribe) warnings.push(unsubscribe.warn);
  const attributes = [...scanned.fields].filter((f) => !['name', 'phone', 'email'].includes(f));
  return { request, plan, message, choices, warnings, subscribers: data.subscribers, planSettings, settings, rates, attributes, erasureMark, optOutsFrom };
}

/**
 * The store as a send needs it, read as a stream: every subscriber's fields are noted (a placeholder is checked
 * against all of them), but only those who follow or left one of the message's topics are kept — the audience and
 * those skipped from it — so a send to one topic of a million subscribers holds only that topic's people.
 */
async function readForSend(request: SendRequest, store: Store): Promise<{ data: StoreData; fields: Set<string>; wanted: ReadonlySet<string> }> {
  const catalogue = await store.topics();
  // a --topic the catalogue does not know is the flag's fault, whatever the message is
  const unknown = request.topics.filter((name) => findTopic(catalogue, name) === undefined);
  if (unknown.length > 0) throw new CanaleError('TOPIC_UNKNOWN', `--topic: ${describeUnknownTopics(catalogue, unknown)}`);
  const wanted = new Set<string>();
  for (const name of [...request.spec.topics, ...request.topics]) {
    const topic = findTopic(catalogue, name);
    if (topic !== undefined) wanted.add(topic.id);
  }
  const touches = (list: readonly string[] | undefined): boolean => list !== undefined && list.some((t) => wanted.has(t));
  let kept: Subscriber[] = [];
  let fields = knownFields([]);
  const { subscriberCount: _count, ...rest } = await store.scan(() => {
    kept = [];
    fields = knownFields([]);
    return (s) => {
      for (const key in s.attributes) fields.add(key);
      if (touches(s.topics) || touches(s.optedOutTopics)) kept.push(s);
    };
  });
  // topics the catalogue did not know are left to the compiler, which names them
  return { data: { ...rest, subscribers: kept }, fields, wanted };
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
function refuseMissingSubject(spec: MessageSpec, subscribers: StoreData['subscribers'], query: AudienceQuery): void {
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

/** The send a `canale send` command line asks for. */
export function requestOf(options: Omit<CampaignSendOptions, 'dryRun' | 'json' | 'concurrency' | 'message' | 'text' | 'subject'>, spec: MessageSpec): SendRequest {
  return {
    spec,
    topics: options.topics,
    where: options.where,
    channel: options.channel,
    ...(options.via === undefined ? {} : { via: options.via }),
    ...(options.rate === undefined ? {} : { rate: options.rate }),
    urgent: options.urgent,
    split: options.split,
    allowFreeText: options.allowFreeText,
    ...(options.allowNoUnsubscribe ? { allowNoUnsubscribe: true } : {}),
  };
}
