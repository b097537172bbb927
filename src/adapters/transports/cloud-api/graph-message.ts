import type { WhatsAppEnvelope } from '../../../core/transport.js';
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

/**
 * The Graph `POST /{phone-number-id}/messages` body for an envelope (reference §1.2–1.4): a template with its
 * body parameters (positional in order, or named with `parameter_name`), or a text; the campaign id goes in
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
      const p = content.parameters;
      const parameters =
        p.format === 'positional'
          ? p.values.map((text) => ({ type: 'text', text }))
          : Object.entries(p.values).map(([name, text]) => ({ type: 'text', parameter_name: name, text }));
      const template: Record<string, unknown> = { name: content.name, language: { code: content.language } };
      if (parameters.length > 0) template.components = [{ type: 'body', parameters }];
      return { ...base, type: 'template', template };
    }
    default: {
      const unreachable: never = content;
      return unreachable;
    }
  }
}
