import type { E164 } from '../phone.js';
import type { StoreData } from '../store-data.js';
import type { Subscriber, SubscriberId } from '../subscriber.js';
import { unsubscribe } from '../subscribers.js';
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

/**
 * The batch's subscribers, found by phone and by id in one pass over the store: a reply looked up by scanning a
 * million subscribers (and checked against all of them for duplicates) cost a batch of 2,500 STOPs on 100,000
 * subscribers 75 s. Only the phones and ids the batch names are kept (a map of the whole store took seconds). A reply
 * is applied to a view of the store holding only the subscriber its number matches, and the result is put back in
 * place; a number no one has is applied to the whole store (it may add a subscriber, or match one another way).
 */
class SubscriberIndex {
  private readonly byPhone = new Map<string, number>();
  private readonly byId = new Map<string, number>();

  constructor(
    private readonly data: StoreData,
    phones: ReadonlySet<string>,
    ids: ReadonlySet<string>,
  ) {
    data.subscribers.forEach((s, i) => {
      if (ids.has(s.id) || (s.phone !== undefined && phones.has(s.phone))) this.note(s, i);
    });
  }

  at(id: string): Subscriber | undefined {
    let i = this.byId.get(id);
    if (i === undefined) {
      // one the batch did not name beforehand (matched by the whole store's rules): looked up once
      i = this.data.subscribers.findIndex((s) => s.id === id);
      if (i < 0) return undefined;
      this.note(this.data.subscribers[i] as Subscriber, i);
    }
    return this.data.subscribers[i];
  }

  /** Replaces a subscriber in place; their phone and e-mail are unchanged, so no duplicate can appear. */
  put(next: Subscriber): void {
    const i = this.byId.get(next.id);
    if (i === undefined) throw new Error(`no subscriber has id ${next.id}`);
    this.data.subscribers[i] = next;
  }

  /** Runs a change that reads subscribers by phone on the one subscriber with that phone, or on the whole store. */
  withPhone<T>(phone: E164, change: (view: StoreData) => T): T {
    const i = this.byPhone.get(phone);
    if (i === undefined) {
      const before = this.data.subscribers.length;
      const result = change(this.data);
      for (let k = before; k < this.data.subscribers.length; k++) this.note(this.data.subscribers[k] as Subscriber, k);
      return result;
    }
    const view: StoreData = { ...this.data, subscribers: [this.data.subscribers[i] as Subscriber] };
    const result = change(view);
    const [next] = view.subscribers;
    if (view.subscribers.length !== 1 || next === undefined || next.id !== this.data.subscribers[i]?.id) throw new Error('a reply changed who is in the store');
    this.data.subscribers[i] = next;
    return result;
  }

  private note(s: Subscriber, i: number): void {
    this.byId.set(s.id, i);
    if (s.phone !== undefined && !this.byPhone.has(s.phone)) this.byPhone.set(s.phone, i);
  }
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
  const phones = new Set(events.flatMap((e) => (e.kind === 'reply' ? [e.message.phone] : e.kind === 'preference' ? [e.phone] : [])));
  const ids = new Set([...done.values(), ...events.flatMap((e) => (e.kind === 'unsubscribe' || e.kind === 'unreachable' ? [e.subscriberId] : []))]);
  const index = new SubscriberIndex(data, phones, ids);
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
        const outcome = index.withPhone(message.phone, (view) => applyReply(view, command, message, newId));
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
        if (index.withPhone(event.phone, (view) => recordMarketingPreference(view, event.phone, event.value, { at: event.at, source: event.source }))) changed++;
        break;
      case 'unsubscribe': {
        const current = index.at(event.subscriberId);
        if (current === undefined) break;
        const next = unsubscribe(current, event.topic as TopicId | undefined, { at: event.at, source: event.source });
        if (next !== current) {
          index.put(next);
          changed++;
        }
        candidates.push({ subscriberId: current.id, ...(event.topic === undefined ? {} : { topic: event.topic }), at: event.at });
        break;
      }
      case 'unreachable': {
        const current = index.at(event.subscriberId);
        if (current === undefined || current.whatsappUnreachable === true) break;
        index.put({ ...current, whatsappUnreachable: true, updatedAt: event.at });
        changed++;
        break;
      }
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }
  const optOuts = candidates.filter((c) => isOptedOut(index.at(c.subscriberId), c.topic));
  return { replies, optOuts, changed };
}
