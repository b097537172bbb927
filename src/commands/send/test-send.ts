import { resolve } from 'node:path';
import { loadMessageFile } from '../../adapters/message/message-file.js';
import { chooseTransport } from '../../adapters/transports/choose.js';
import type { Email } from '../../core/email.js';
import { CanaleError } from '../../core/errors.js';
import { renderFor } from '../../core/message/render.js';
import type { E164 } from '../../core/phone.js';
import type { Channel, Subscriber, SubscriberId } from '../../core/subscriber.js';
import { isWhatsAppPhone, type WhatsAppAddress } from '../../core/whatsapp-identity.js';
import { findTemplate } from '../../core/template.js';
import { describeFailure, type Envelope, type TemplateParameters, type TransportName } from '../../core/transport.js';
import type { Context } from '../context.js';
import { readPlanSettings, renderContextOf } from '../../sending/plan-settings.js';
import { compileForSend, readSnapshot } from '../../sending/send-snapshot.js';

/** `send --test-to`: one message to one address, now, with no campaign and no journal. */
export type TestSendOptions =
  | { readonly channel: 'whatsapp'; readonly to: WhatsAppAddress; readonly via?: TransportName; readonly text?: string; readonly template?: { readonly name: string; readonly language?: string; readonly params: readonly string[] } }
  | { readonly channel: 'email'; readonly to: Email; readonly via?: TransportName; readonly subject: string; readonly text: string }
  | { readonly channel: 'whatsapp' | 'email'; readonly to: WhatsAppAddress | Email; readonly via?: TransportName; readonly message: string };

/** The subscriber part a test address stands for: an e-mail, a number or a WhatsApp user id. */
function addressFields(channel: 'whatsapp' | 'email', to: WhatsAppAddress | Email): Pick<Subscriber, 'email' | 'phone' | 'whatsappUserId'> {
  switch (channel) {
    case 'whatsapp':
      return isWhatsAppPhone(to as WhatsAppAddress) ? { phone: to as E164 } : { whatsappUserId: to };
    case 'email':
      return { email: to as Email };
    default: {
      const unreachable: never = channel;
      return unreachable;
    }
  }
}

/** Whether a subscriber has the test address on the channel: their e-mail, or their number or WhatsApp user id. */
const HAS_TEST_ADDRESS: Readonly<Record<Channel, (s: Subscriber, to: string) => boolean>> = {
  whatsapp: (s, to) => s.phone === to || s.whatsappUserId === to,
  email: (s, to) => s.email === to,
};
/** What a test sends, in the ✓ line. */
const TEST_MESSAGE_NAME: Readonly<Record<Channel, string>> = { whatsapp: 'WhatsApp message', email: 'e-mail' };

/**
 * A message file rendered for the test address: as the subscriber with that address would get it, or — for an
 * address no subscriber has — with every placeholder's default (a placeholder without one is refused, by name).
 */
async function messageEnvelope(options: Extract<TestSendOptions, { message: string }>, ctx: Context, recipientKey: string): Promise<Envelope> {
  const spec = await loadMessageFile(resolve(ctx.deps.cwd, options.message));
  const isTheAddress = (s: Subscriber): boolean => HAS_TEST_ADDRESS[options.channel](s, options.to);
  const snapshot = await readSnapshot((await ctx.ports()).subscribers, { keep: isTheAddress }, spec);
  const message = compileForSend(spec, snapshot, []);
  const known = snapshot.subscribers[0];
  const now = ctx.now();
  const subscriber: Subscriber = known ?? {
    id: recipientKey as SubscriberId,
    ...addressFields(options.channel, options.to),
    topics: [],
    channel: options.channel,
    status: 'active',
    attributes: {},
    consent: { source: 'test', at: now },
    createdAt: now,
    updatedAt: now,
  };
  const settings = await readPlanSettings(ctx);
  const origin = { campaignId: 'test', recipientKey };
  const rendering = renderFor(options.channel, message, subscriber, origin, renderContextOf(settings));
  if (!rendering.ok) {
    const why = [...rendering.missing.map((f) => `no value for {{${f}}}${known === undefined ? ' (no subscriber has this address: give the placeholder a default, or test with a subscriber\'s address)' : ''}`), ...rendering.problems];
    throw new CanaleError('TEST_NOT_RENDERED', `${options.message} cannot be sent to ${options.to}: ${why.join('; ')}`);
  }
  return { ...rendering.envelope, recipientKey };
}

/** Positional values, or `name=value` pairs when the synced template is named. */
function parametersFor(params: readonly string[], named: boolean): TemplateParameters {
  if (!named) return { format: 'positional', values: params };
  return { format: 'named', values: Object.fromEntries(params.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])) };
}

async function envelopeFor(options: TestSendOptions, ctx: Context, recipientKey: string): Promise<Envelope> {
  if ('message' in options) return messageEnvelope(options, ctx, recipientKey);
  if (options.channel === 'email') {
    const html = `<p>${options.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</p>`;
    return { channel: 'email', to: options.to, subject: options.subject, text: options.text, html, recipientKey };
  }
  if (options.template === undefined) return { channel: 'whatsapp', to: options.to, recipientKey, content: { kind: 'text', body: options.text ?? '' } };
  const { name, params } = options.template;
  const synced = (await (await ctx.ports()).subscribers.templates()).filter((t) => t.name === name);
  const language = options.template.language ?? (synced.length === 1 ? synced[0]?.language : undefined) ?? 'it';
  const known = findTemplate(synced, name, language);
  const named = known?.parameterFormat === 'named' || (known === undefined && params.length > 0 && params.every((p) => /^[a-z_][a-z0-9_]*=/.test(p)));
  return { channel: 'whatsapp', to: options.to, recipientKey, content: { kind: 'template', name, language, parameters: parametersFor(params, named) } };
}

/** Sends it through the configured transport (or `--via`); prints the provider's id, or the failure and what to do. */
export async function runTestSend(options: TestSendOptions, ctx: Context): Promise<number> {
  const settings = await ctx.settings();
  const choice = chooseTransport(options.channel, settings, options.via);
  if (choice.warning !== undefined) ctx.ui.warn(choice.warning);
  const transport = (await ctx.deps.transports(ctx.paths.home, { clock: ctx.deps.clock })).build(choice, settings);
  try {
    const envelope = await envelopeFor(options, ctx, ctx.deps.ids.next('test_'));
    const result = await transport.send(envelope, new AbortController().signal);
    if (result.ok) {
      ctx.ui.out(result.providerMessageId);
      ctx.ui.success(`sent a test ${TEST_MESSAGE_NAME[options.channel]} to ${options.to} through ${choice.name}`);
      return 0;
    }
    const { failure } = result;
    const hint =
      failure.mayHaveArrived === true
        ? ' — it may have arrived all the same: look before sending again'
        : failure.kind === 'rate-limit' || failure.kind === 'transient' || failure.kind === 'deferred'
          ? ' — this may pass: try again in a moment'
          : failure.kind === 'recipient'
            ? ' — this address cannot receive it'
            : '';
    ctx.ui.warn(`not sent through ${choice.name}: ${failure.code}${failure.providerCode === undefined ? '' : ` (provider code ${failure.providerCode})`}: ${describeFailure(failure)}${hint}`);
    return 1;
  } finally {
    await transport.close?.();
  }
}
