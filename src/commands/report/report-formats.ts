import { csvText } from '../../adapters/csv/csv-text.js';
import type { Delivery } from '../../core/audience.js';
import { STATE, type JournalReplay, type RecipientState } from '../../core/dispatch/journal-state.js';
import { describeFailure } from '../../core/transport.js';
import type { Channel, Subscriber } from '../../core/subscriber.js';

/** The address a recipient was reached at on each channel (a number, else the WhatsApp user id). */
const ADDRESS_OF: Readonly<Record<Channel, (s: Subscriber) => string | undefined>> = {
  whatsapp: (s) => s.phone ?? s.whatsappUserId,
  email: (s) => s.email,
};

const STATE_NAMES: Readonly<Record<RecipientState, string>> = {
  [STATE.pending]: 'pending',
  [STATE.unknown]: 'unknown',
  [STATE.sent]: 'sent',
  [STATE.failed]: 'failed',
  [STATE.skipped]: 'skipped',
  [STATE.delivered]: 'delivered',
  [STATE.read]: 'read',
};

/**
 * One row per recipient: subscriber id, channel, status, code, provider message id, last update. Contacts only
 * with `withContacts`, because the file leaves the home. Every cell is safe to open in a spreadsheet: one a
 * spreadsheet would run as a formula (a provider's reason, a `+39…` phone) gets a `'` before it.
 */
export function* reportCsv(deliveries: readonly Delivery[], replay: JournalReplay, contacts?: ReadonlyMap<string, Subscriber>): Generator<string> {
  const header = ['subscriber_id', 'channel', 'status', 'code', 'reason', 'provider_message_id', 'updated_at', ...(contacts ? ['name', 'address'] : [])];
  yield csvText([header]);
  for (let start = 0; start < deliveries.length; start += 1000) {
    const rows = deliveries.slice(start, start + 1000).map((d, offset) => {
      const i = start + offset;
      const failure = replay.failures.get(i);
      const row = [
        d.subscriberId,
        d.channel,
        STATE_NAMES[replay.states[i] as RecipientState],
        failure?.code ?? replay.skips.get(i) ?? '',
        failure === undefined ? '' : describeFailure(failure),
        replay.providerIds.get(i) ?? '',
        replay.lastAt.get(i) ?? '',
      ];
      if (contacts) {
        const s = contacts.get(d.subscriberId);
        row.push(s?.name ?? '', (s === undefined ? undefined : ADDRESS_OF[d.channel](s)) ?? '');
      }
      return row;
    });
    yield csvText(rows);
  }
}
