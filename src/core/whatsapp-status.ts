import type { DeliveryFailure } from './transport.js';

/** A delivery receipt, in canale's words: Graph field names stop here (STYLE rule 7). */
export interface StatusEvent {
  readonly wamid: string;
  readonly status: 'sent' | 'delivered' | 'read' | 'failed';
  readonly at: string;
  /** From `biz_opaque_callback_data`, where canale puts `<campaign id>/<recipient's position>` (the campaign id alone before issue 16). */
  readonly campaignId?: string;
  /** The recipient's position in the campaign's frozen list: a receipt for a message whose answer was lost settles them. */
  readonly recipientIndex?: number;
  readonly failure?: DeliveryFailure;
  /** The recipient's business-scoped user id (`recipient_user_id`, 2026), to keep on their subscriber. */
  readonly recipientUserId?: string;
}
