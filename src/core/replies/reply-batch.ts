import type { E164 } from '../phone.js';
import type { StoreData } from '../store-data.js';
import type { Subscriber, SubscriberId } from '../subscriber.js';
import { replaceSubscriber, unsubscribe } from '../subscribers.js';
import { findTopic, type TopicId } from '../topic.js';
import { applyReply, recordMarketingPreference, type CitizenMessage, type ReplyOutcome } from './citizen-reply.js';
import type { ReplyCommand } from './reply-command.js';

/** One thing the webhook server's applier changes in the store, in the order the event log has them. */
export type StoreEvent =
  | { readonly kind: 'reply'; readonly message: CitizenMessage; readonly command: ReplyCommand }
  | { readonly kind: 'preference'; readonly phone: E164; readonly value: 'stop' | 'resume'; readonly at: string; readonly source: string }
  | { readonly kind: 'unsubscribe'; readonly subscriberId: string; readonly topic?: string; readonly at: string; readonly source: string }
  | { readonly kind: 'unreachable'; readonly subscriberId: string; readonly at: string };

/** An opt-out for running sends (the opt-out feed): a subscriber who no longer receives everything, or one topic. */
export interface BatchOptOut {
  readonly subscriberId: string;
  readonly topic?: string;
  readonly at: string;
}

export interface BatchResult {
  /** The replies applied now, each with the confirmation for its citizen; one already in the store is not here. */
  readonly replies: ReadonlyArray<{ readonly message: CitizenMessage; readonly command: ReplyCommand; readonly outcome: ReplyOutcome }>;
  /** What running sends must stop, as the store holds it after the whole batch. */
  readonly optOuts: readonly BatchOptOut[];
  /** How many events changed something. */
  readonly changed: number;
}

const sourceOf = (messageId: string) => `whatsapp:${messageId}`;

/**
 * The subscribers who already hold a change made by one of these messages (Meta redelivers, and a batch is applied
 * again after a crash), by the message's consent source: one pass over the store for the whole batch.
 */
function alreadyApplied(data: StoreData, messageIds: readonly string[]): Map<string, SubscriberId> {
  const wanted = new Set(messageIds.map(sourceOf));
  const found = new Map<string, SubscriberId>();
  if (wanted.size === 0) return found;
  for (const s of data.subscribers) {
    if (wanted.has(s.consent.source)) found.set(s.consent.source, s.id);
    for (const e of s.history ?? []) if (wanted.has(e.source)) found.set(e.source, s.id);
  }
  return found;
}

/** Whether the subscriber, as the store now holds them, no longer receives that topic (or anything). */
function isOptedOut(subscriber: Subscriber | undefined, topic: string | undefined): boolean {
  if (subscriber === undefined) return false;
  if (subscriber.status === 'unsubscribed') return true;
  return topic !== undefined && !subscriber.topics.includes(topic as TopicId);
}

/**
 * Applies a batch of the event log to the store, under its one lock (the caller's `store.update`): citizens'
 * replies (a message id already in a consent source is skipped), `user_preferences`, one-click unsubscribes and
 * unreachable flags, in order. Safe to apply twice. The opt-outs returned are checked against the store after the
 * whole batch, so a STOP followed by an ISCRIVI in the same batch stops nothing, and a batch applied again after a
 * crash (its replies now skipped) still names the opt-outs it made, for the feed that the crash may have missed.
 * `user_preferences` stop is not an opt-out: it blocks marketing templates at Meta, and changes no topic here.
 */
export function applyStoreEvents(data: StoreData, events: readonly StoreEvent[], newId: () => SubscriberId): BatchResult {
  const done = alreadyApplied(
    data,
    events.flatMap((e) => (e.kind === 'reply' ? [e.message.messageId] : [])),
  );
  const replies: Array<BatchResult['replies'][number]> = [];
  const candidates: Array<{ subscriberId: string; topic?: string; at: string }> = [];
  let changed = 0;
  for (const event of events) {
    switch (event.kind) {
      case 'reply': {
        const { message, command } = event;
        const topic = command.kind === 'leave' ? findTopic(data.topics, command.topic)?.id : undefined;
        const earlier = done.get(sourceOf(message.messageId));
        if (earlier !== undefined) {
          if (command.kind === 'stop' || (command.kind === 'leave' && topic !== undefined)) candidates.push({ subscriberId: earlier, ...(topic === undefined ? {} : { topic }), at: message.at });
          continue;
        }
        const outcome = applyReply(data, command, message, newId);
        // the same message twice in one batch (Meta sent it twice meanwhile) is applied once
        if (outcome.changed && outcome.subscriberId !== undefined) done.set(sourceOf(message.messageId), outcome.subscriberId);
        if (outcome.changed) changed++;
        replies.push({ message, command, outcome });
        if (outcome.subscriberId !== undefined && (command.kind === 'stop' || (command.kind === 'leave' && topic !== undefined))) {
          candidates.push({ subscriberId: outcome.subscriberId, ...(topic === undefined ? {} : { topic }), at: message.at });
        }
        break;
      }
      case 'preference':
        if (recordMarketingPreference(data, event.phone, event.value, { at: event.at, source: event.source })) changed++;
        break;
      case 'unsubscribe': {
        const current = data.subscribers.find((s) => s.id === event.subscriberId);
        if (current === undefined) break;
        const next = unsubscribe(current, event.topic as TopicId | undefined, { at: event.at, source: event.source });
        if (next !== current) {
          replaceSubscriber(data, next);
          changed++;
        }
        candidates.push({ subscriberId: current.id, ...(event.topic === undefined ? {} : { topic: event.topic }), at: event.at });
        break;
      }
      case 'unreachable': {
        const current = data.subscribers.find((s) => s.id === event.subscriberId);
        if (current === undefined || current.whatsappUnreachable === true) break;
        replaceSubscriber(data, { ...current, whatsappUnreachable: true, updatedAt: event.at });
        changed++;
        break;
      }
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }
  const wanted = new Set(candidates.map((c) => c.subscriberId));
  const final = new Map(data.subscribers.filter((s) => wanted.has(s.id)).map((s) => [s.id as string, s]));
  const optOuts = candidates.filter((c) => isOptedOut(final.get(c.subscriberId), c.topic));
  return { replies, optOuts, changed };
}
