import type { Clock } from '../../core/ports.js';
import type { CitizenMessage } from '../../core/replies/citizen-reply.js';
import type { SubscriberId } from '../../core/subscriber.js';
import type { ReplyContent, Transport } from '../../core/transport.js';
import { whatsappAddressOf } from '../../core/whatsapp-identity.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Sends the answers to citizens' replies through the replies transport (free form: they just wrote, so the 24-hour
 * window is open) — text, the topic list or reply buttons — to their number, or to their WhatsApp user id when they
 * write without showing it. An answer to words canale did not understand (`daily`: the help text, or the list for a
 * stranger) goes at most once a day to each citizen: no loop with an auto-responder, no spam. Sends run in the
 * background; `settle` waits for them.
 */
export class CitizenAnswers {
  private readonly dailySentAt = new Map<string, number>();
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly deps: { readonly replies: Transport; readonly clock: Clock; readonly warn: (line: string) => void }) {}

  /** Hands the answer to the transport, unless it is a daily one already given today; returns whether it did. */
  send(message: CitizenMessage, subscriberId: SubscriberId | undefined, content: ReplyContent, daily: boolean): boolean {
    const to = whatsappAddressOf({ ...(message.phone === undefined ? {} : { phone: message.phone }), ...(message.userId === undefined ? {} : { whatsappUserId: message.userId }) });
    if (to === undefined) return false;
    if (daily) {
      const now = this.deps.clock.now().getTime();
      if (now - (this.dailySentAt.get(to) ?? -Infinity) < DAY_MS) return false;
      this.dailySentAt.set(to, now);
    }
    const sending = this.deps.replies
      .send({ channel: 'whatsapp', to, recipientKey: subscriberId ?? 'citizen', content }, new AbortController().signal)
      .then((result) => {
        if (!result.ok) this.deps.warn(`a confirmation to a citizen was not sent: ${result.failure.code}`);
      })
      .catch((error: unknown) => this.deps.warn(`a confirmation to a citizen was not sent: ${String(error)}`))
      .finally(() => this.sending.delete(sending));
    this.sending.add(sending);
    return true;
  }

  /** Waits for the answers still on their way. */
  async settle(): Promise<void> {
    while (this.sending.size > 0) await Promise.all(this.sending);
  }
}
