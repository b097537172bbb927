import type { UnsubscribeLinks } from '../ports.js';
import type { Email } from '../email.js';
import type { Channel, Subscriber } from '../subscriber.js';
import type { EmailEnvelope, Envelope, EnvelopeOrigin, WhatsAppEnvelope } from '../transport.js';
import { whatsappAddressOf } from '../whatsapp-identity.js';
import type { CompiledMessage } from './compile.js';
import { WHATSAPP_TEXT_LIMIT } from './compile.js';
import { fillHtmlBody, wrapEmailHtml, type HtmlBody } from './email-html.js';
import { fillPlaceholders, subscriberValue } from './placeholders.js';
import { hydratedBodyProblem } from './template-check.js';
import { renderTemplateParams } from './template-params.js';

/** A message for one recipient on one channel, or why it cannot be sent to them. */
export type Rendering<E> = { readonly ok: true; readonly envelope: E } | Refusal;

export interface RenderContext {
  readonly cityName: string;
  readonly links: UnsubscribeLinks;
}

/** Why a message cannot be sent to a recipient: placeholders without a value, and other problems. */
export interface Refusal {
  readonly ok: false;
  readonly missing: readonly string[];
  readonly problems: readonly string[];
}

function refused(missing: readonly string[], problems: readonly string[]): Refusal {
  return { ok: false, missing, problems };
}

/** The WhatsApp content for a subscriber and where it goes, checked; or why it cannot be sent. */
function whatsAppContent(message: CompiledMessage, subscriber: Subscriber): Refusal | { readonly ok: true; readonly to: WhatsAppEnvelope['to']; readonly content: WhatsAppEnvelope['content'] } {
  const to = whatsappAddressOf(subscriber);
  if (to === undefined) return refused([], ['no phone number or WhatsApp user id']);
  const valueOf = (field: string) => subscriberValue(subscriber, field);
  const use = message.spec.whatsapp;
  if (use !== undefined) {
    const params = renderTemplateParams(use, valueOf, message.whatsappTemplate);
    if (params.missing.length > 0 || params.problems.length > 0) return refused(params.missing, params.problems);
    const tooLong = message.whatsappTemplate === undefined ? undefined : hydratedBodyProblem(message.whatsappTemplate, params.parameters);
    if (tooLong !== undefined) return refused([], [tooLong]);
    const { parameters, header, buttons } = params;
    const content = { kind: 'template', name: use.template, language: use.language, parameters, ...(header === undefined ? {} : { header }), ...(buttons === undefined ? {} : { buttons }) } as const;
    return { ok: true, to, content };
  }
  const text = fillPlaceholders(message.whatsappText ?? '', valueOf);
  if (text.missing.length > 0) return refused(text.missing, []);
  if (text.text.length > WHATSAPP_TEXT_LIMIT) return refused([], [`${text.text.length} characters, over WhatsApp's limit of ${WHATSAPP_TEXT_LIMIT}`]);
  return { ok: true, to, content: { kind: 'text', body: text.text } };
}

/**
 * The WhatsApp message for a subscriber: the template with its header, body and button values filled and checked,
 * or the free text; addressed to their number, else to their WhatsApp user id.
 */
export function renderWhatsAppFor(message: CompiledMessage, subscriber: Subscriber, origin: EnvelopeOrigin): Rendering<WhatsAppEnvelope> {
  const filled = whatsAppContent(message, subscriber);
  if (!filled.ok) return filled;
  return { ok: true, envelope: { ...origin, channel: 'whatsapp', to: filled.to, content: filled.content } };
}

/** The e-mail's subject and plain text for a subscriber, checked; or why it cannot be sent. Its HTML cannot fail. */
function emailText(message: CompiledMessage, subscriber: Subscriber): Refusal | { readonly ok: true; readonly to: Email; readonly subject: string; readonly text: string; readonly html: HtmlBody } {
  const email = message.email;
  if (email === undefined) return refused([], ['the message has no e-mail version']);
  if (subscriber.email === undefined) return refused([], ['no e-mail address']);
  const valueOf = (field: string) => subscriberValue(subscriber, field);
  const subject = fillPlaceholders(email.subject, valueOf);
  const text = fillPlaceholders(email.text, valueOf);
  const missing = [...new Set([...subject.missing, ...text.missing])];
  if (missing.length > 0) return refused(missing, []);
  if (/[\r\n]/.test(subject.text)) return refused([], ['a value put into the subject holds a line break']);
  if (subscriber.name !== undefined && /[\r\n]/.test(subscriber.name)) return refused([], ['the name holds a line break']);
  return { ok: true, to: subscriber.email, subject: subject.text, text: text.text, html: email.html };
}

/**
 * The e-mail for a subscriber: subject, plain text and HTML with their values (escaped in HTML), the one-click
 * unsubscribe link for the first of the message's topics they follow, and the list (List-Id) of its first topic.
 */
export function renderEmailFor(message: CompiledMessage, subscriber: Subscriber, origin: EnvelopeOrigin, context: RenderContext): Rendering<EmailEnvelope> {
  const filled = emailText(message, subscriber);
  if (!filled.ok) return filled;
  const valueOf = (field: string) => subscriberValue(subscriber, field);
  const topic = message.topics.find((t) => subscriber.topics.includes(t));
  const unsubscribeUrl = context.links.urlFor(subscriber.id, topic);
  const body = fillHtmlBody(filled.html, (raw) => fillPlaceholders(raw, valueOf).text);
  const wrapped = wrapEmailHtml(body, {
    cityName: context.cityName,
    subject: filled.subject,
    topicLabels: message.topicLabels,
    ...(unsubscribeUrl === undefined ? {} : { unsubscribeUrl }),
  });
  // "-- " (dash, dash, space) on its own line starts a signature (RFC 3676 §4.3): mail programs set the footer apart
  const footer = unsubscribeUrl === undefined ? '' : `\n\n-- \nPer cambiare argomenti o annullare l'iscrizione: ${unsubscribeUrl}`;
  const [listTopic] = message.topics;
  const [listLabel] = message.topicLabels;
  return {
    ok: true,
    envelope: {
      ...origin,
      channel: 'email',
      to: filled.to,
      ...(subscriber.name === undefined ? {} : { toName: subscriber.name }),
      subject: filled.subject,
      text: `${filled.text}${footer}\n`,
      html: wrapped,
      ...(unsubscribeUrl === undefined ? {} : { unsubscribeUrl }),
      ...(listTopic === undefined ? {} : { list: { id: listTopic, name: `${context.cityName} – ${listLabel ?? listTopic}` } }),
    },
  };
}

/**
 * Why the message on this channel cannot be sent to the subscriber, or undefined when it can: renderFor's answer
 * without building the message (a plan asks this of every recipient; the send renders each one as it goes).
 */
export function refusalFor(channel: Channel, message: CompiledMessage, subscriber: Subscriber): Refusal | undefined {
  const filled = CHECKS[channel](message, subscriber);
  return filled.ok ? undefined : filled;
}

const CHECKS: Readonly<Record<Channel, (message: CompiledMessage, subscriber: Subscriber) => Refusal | { readonly ok: true }>> = {
  whatsapp: whatsAppContent,
  email: emailText,
};

/** The message for a subscriber on the channel asked: the one place that picks a channel's renderer. */
export function renderFor(channel: Channel, message: CompiledMessage, subscriber: Subscriber, origin: EnvelopeOrigin, context: RenderContext): Rendering<Envelope> {
  switch (channel) {
    case 'whatsapp':
      return renderWhatsAppFor(message, subscriber, origin);
    case 'email':
      return renderEmailFor(message, subscriber, origin, context);
    default: {
      const unreachable: never = channel;
      return unreachable;
    }
  }
}
