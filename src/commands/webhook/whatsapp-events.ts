import type { ReceiptBook, ReceiptResult } from '../../adapters/webhook/receipts.js';
import type { EventLog, FailureStreaks } from '../../adapters/webhook/webhook-files.js';
import { readWebhook, type InboundEvent, type StatusEvent } from '../../adapters/webhook/webhook-payload.js';
import type { E164 } from '../../core/phone.js';
import type { Clock, IdSource, Store } from '../../core/ports.js';
import { applyReply, HELP_ANSWER, isAlreadyApplied, recordMarketingPreference } from '../../core/replies/citizen-reply.js';
import { parseReply, type ReplyCommand } from '../../core/replies/reply-command.js';
import type { SubscriberId } from '../../core/subscriber.js';
import { replaceSubscriber } from '../../core/subscribers.js';
import type { Transport } from '../../core/transport.js';

/** Failure codes that say the number cannot get WhatsApp messages at all (not "not now", not "not marketing"). */
const UNDELIVERABLE: ReadonlySet<string> = new Set(['WHATSAPP_UNDELIVERABLE', 'WHATSAPP_INVALID_VALUE']);
const DAY_MS = 24 * 60 * 60 * 1000;

export interface WhatsAppEventsDeps {
  readonly log: EventLog;
  readonly receipts: ReceiptBook;
  readonly streaks: FailureStreaks;
  readonly unreachableAfter: number;
  readonly store: Store;
  /** Confirmations to citizens go through it as free text: they just wrote, so the 24-hour window is open. */
  readonly replies: Transport;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** A line for problems that are not one request's (a confirmation that could not be sent); no personal data. */
  readonly warn: (line: string) => void;
}

/**
 * Everything a signed WhatsApp webhook can carry: receipts go to their campaign's journal, citizens' replies to
 * the store (and a confirmation back), `user_preferences` to the consent history. The payload is in the event
 * log on disk before the request is answered, and before any reply changes the store; all of it is safe to do
 * twice, since Meta redelivers for days.
 */
export class WhatsAppEvents {
  private readonly seen = new Set<string>();
  private readonly helpSentAt = new Map<string, number>();
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly deps: WhatsAppEventsDeps) {}

  /** Logs and processes one payload; returns a summary for the request's log line. */
  async handle(payload: unknown): Promise<string> {
    const at = this.deps.clock.now().toISOString();
    const logged = this.deps.log.record(at, payload);
    const events = readWebhook(payload, at);
    // receipts are written while the payload is logged (each file has its own flush): both are on disk before the
    // 200, and if the log fails the request fails, Meta redelivers, and the journal, which only moves forward, keeps one
    const [, results] = await Promise.all([logged, Promise.all(events.statuses.map((s) => this.status(s)))]);
    for (const message of events.inbound) await this.inbound(message);
    for (const preference of events.preferences) {
      const source = `whatsapp:user_preferences@${preference.at}`;
      await this.deps.store.update((data) => recordMarketingPreference(data, `+${preference.from}` as E164, preference.value, { at: preference.at, source }));
    }
    const recorded = results.filter((r) => r.kind === 'recorded').length;
    const parts = [`statuses=${events.statuses.length}`, `recorded=${recorded}`, `messages=${events.inbound.length}`];
    if (events.preferences.length > 0) parts.push(`preferences=${events.preferences.length}`);
    const unmatched = results.filter((r) => r.kind === 'unknown-message').length;
    if (unmatched > 0) parts.push(`unmatched=${unmatched}`);
    return parts.join(' ');
  }

  /** Waits for the confirmations still on their way. */
  async settle(): Promise<void> {
    while (this.sending.size > 0) await Promise.all(this.sending);
  }

  private async status(event: StatusEvent): Promise<ReceiptResult> {
    const result = await this.deps.receipts.record(event);
    if (result.kind !== 'recorded' || result.outcome.subscriberId === ('forgotten' as SubscriberId)) return result;
    const { subscriberId, status, code } = result.outcome;
    const undeliverable = status === 'failed' && code !== undefined && UNDELIVERABLE.has(code);
    if (status === 'failed' && !undeliverable) return result;
    const streak = await this.deps.streaks.note(subscriberId, undeliverable);
    if (streak >= this.deps.unreachableAfter) await this.flagUnreachable(subscriberId, event.at);
    return result;
  }

  private flagUnreachable(id: SubscriberId, at: string): Promise<boolean> {
    return this.deps.store.update((data) => {
      const subscriber = data.subscribers.find((s) => s.id === id);
      if (subscriber === undefined || subscriber.whatsappUnreachable === true) return false;
      replaceSubscriber(data, { ...subscriber, whatsappUnreachable: true, updatedAt: at });
      return true;
    });
  }

  private async inbound(message: InboundEvent): Promise<void> {
    const phone = `+${message.from}`;
    if (this.seen.has(message.messageId) || !/^\+[1-9]\d{6,14}$/.test(phone)) return;
    const commands = message.words.map(parseReply);
    const command: ReplyCommand = commands.find((c) => c.kind !== 'unknown') ?? { kind: 'unknown' };
    const citizen = { phone: phone as E164, messageId: message.messageId, at: message.at };
    const outcome = await this.deps.store.update((data) =>
      isAlreadyApplied(data, message.messageId) ? undefined : applyReply(data, command, citizen, () => this.deps.ids.next('sub_') as SubscriberId),
    );
    this.seen.add(message.messageId);
    if (outcome === undefined) return;
    if (command.kind === 'unknown') {
      const now = this.deps.clock.now().getTime();
      if (now - (this.helpSentAt.get(phone) ?? -Infinity) < DAY_MS) return;
      this.helpSentAt.set(phone, now);
    }
    this.reply(citizen.phone, outcome.subscriberId ?? 'citizen', command.kind === 'unknown' ? HELP_ANSWER : outcome.answer);
  }

  private reply(to: E164, recipientKey: string, body: string): void {
    const sending = this.deps.replies
      .send({ channel: 'whatsapp', to, recipientKey, content: { kind: 'text', body } }, new AbortController().signal)
      .then((result) => {
        if (!result.ok) this.deps.warn(`a confirmation to a citizen was not sent: ${result.failure.code}`);
      })
      .catch((error: unknown) => this.deps.warn(`a confirmation to a citizen was not sent: ${String(error)}`))
      .finally(() => this.sending.delete(sending));
    this.sending.add(sending);
  }
}
