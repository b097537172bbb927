import type { TemplateButtonContent, TemplateHeaderContent, TemplateParameters, WhatsAppEnvelope } from '../../../core/transport.js';
import { buttonsInteractive, listInteractive } from './graph-interactive.js';
import { isWhatsAppPhone, type WhatsAppAddress } from '../../../core/whatsapp-identity.js';

/**
 * Who the message is for, in Graph's words: a number goes in `to`; a business-scoped user id goes in `recipient`,
 * with no `to`. The fact sheet (whatsapp-cloud-api.md §1.2, §4.6) says `to` takes a BSUID too; Meta's 2026
 * business-scoped-user-ids page adds a `recipient` property beside `to` for it ("you can include both, in which case
 * `to` takes precedence" — as AWS's WhatsApp sample quotes it for messages, and as Meta's calling API table words it:
 * "the WhatsApp user's BSUID or parent BSUID. Use this instead of, or in addition to, `to`"). We follow Meta, and send
 * only one of the two so the precedence never matters.
 */
export function graphRecipient(to: WhatsAppAddress): { readonly to: string } | { readonly recipient: string } {
  return isWhatsAppPhone(to) ? { to } : { recipient: to };
}

type TemplateContent = Extract<WhatsAppEnvelope['content'], { kind: 'template' }>;

/** Text parameters in Graph's words: in order, or each with its `parameter_name` for a named template. */
function textParameters(p: TemplateParameters): Array<Record<string, string>> {
  return p.format === 'positional'
    ? p.values.map((text) => ({ type: 'text', text }))
    : Object.entries(p.values).map(([name, text]) => ({ type: 'text', parameter_name: name, text }));
}

/** The header's parameters: its text's, or its media as `{ type: 'image', image: { link } | { id } }` (a document with its `filename`). */
function headerParameters(header: TemplateHeaderContent): Array<Record<string, unknown>> {
  if (header.kind === 'text') return textParameters(header.parameters);
  const media = header.kind === 'document' && header.filename !== undefined ? { ...header.media, filename: header.filename } : header.media;
  return [{ type: header.kind, [header.kind]: media }];
}

/** Meta's `button` component: `sub_type`, `index` as a string ("0"…"9", reference §1.4), one text or payload parameter. */
function buttonComponent(button: TemplateButtonContent): Record<string, unknown> {
  return button.kind === 'url'
    ? { type: 'button', sub_type: 'url', index: String(button.index), parameters: [{ type: 'text', text: button.suffix }] }
    : { type: 'button', sub_type: 'quick_reply', index: String(button.index), parameters: [{ type: 'payload', payload: button.payload }] };
}

/** The `components` of a template send, in Meta's order: header, body, then each button that takes a value. */
function templateComponents(content: TemplateContent): Array<Record<string, unknown>> {
  const components: Array<Record<string, unknown>> = [];
  if (content.header !== undefined) components.push({ type: 'header', parameters: headerParameters(content.header) });
  const body = textParameters(content.parameters);
  if (body.length > 0) components.push({ type: 'body', parameters: body });
  for (const button of content.buttons ?? []) components.push(buttonComponent(button));
  return components;
}

/**
 * The Graph `POST /{phone-number-id}/messages` body for an envelope (reference §1.2–1.4): a template with its
 * header, body and button components (templateComponents), a text, or an interactive list or reply buttons
 * (graph-interactive.ts, cut to Meta's limits); the campaign id goes in
 * `biz_opaque_callback_data` so status webhooks can be traced back to it.
 */
export function graphMessageBody(envelope: WhatsAppEnvelope): Record<string, unknown> {
  const base: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    ...graphRecipient(envelope.to),
  };
  // `<campaign>/<position>`: a status webhook then names the recipient even when the send's answer was lost (DESIGN §7.2)
  if (envelope.campaignId !== undefined) base.biz_opaque_callback_data = envelope.recipientIndex === undefined ? envelope.campaignId : `${envelope.campaignId}/${envelope.recipientIndex}`;
  const content = envelope.content;
  switch (content.kind) {
    case 'text':
      return { ...base, type: 'text', text: { preview_url: content.previewUrl ?? false, body: content.body } };
    case 'template': {
      const components = templateComponents(content);
      const template: Record<string, unknown> = { name: content.name, language: { code: content.language } };
      if (components.length > 0) template.components = components;
      return { ...base, type: 'template', template };
    }
    case 'list':
      return { ...base, type: 'interactive', interactive: listInteractive(content) };
    case 'buttons':
      return { ...base, type: 'interactive', interactive: buttonsInteractive(content) };
    default: {
      const unreachable: never = content;
      return unreachable;
    }
  }
}
