import type { Subscriber } from '../../core/subscriber.js';
import { findRef, parseRef, refHints, resolveRefIn } from '../../core/subscriber-ref.js';
import { resubscribe, unsubscribe } from '../../core/subscribers.js';
import { resolveTopics } from '../../core/topic.js';
import type { Context } from '../context.js';
import { canaleCommand } from '../../core/shell-quote.js';

export interface OptOutOptions {
  readonly ref: string;
  readonly topic?: string;
  readonly note?: string;
}

/** Records a citizen's opt-out, from one topic or from everything, in the consent history. No confirmation: it honours their choice. */
export async function runSubscriberUnsubscribe(options: OptOutOptions, ctx: Context): Promise<void> {
  const country = await ctx.country();
  const now = ctx.now();
  // one subscriber changes: appended to the store's change log, not a rewrite of everyone
  const ports = await ctx.ports();
  const parsed = parseRef(options.ref, country);
  const result = await ports.subscribers.transaction(refHints(parsed), (tx) => {
    const current = resolveRefIn(tx, options.ref, parsed);
    const topic = options.topic === undefined ? undefined : resolveTopics(tx.topics(), [options.topic])[0];
    const next = unsubscribe(current, topic, { at: now, source: 'cli', ...(options.note ? { note: options.note } : {}) });
    if (next !== current) tx.replace(next);
    return { next, changed: next !== current, topic };
  });
  // a send running now reads the feed, not the store: it skips them before their message leaves
  if (result.changed) await ports.events.appendOptOuts([{ subscriberId: result.next.id, ...(result.topic === undefined ? {} : { topic: result.topic }), at: now }]);
  const what = options.topic === undefined ? 'everything' : `topic ${options.topic}`;
  if (result.changed) ctx.ui.success(`${result.next.id} is unsubscribed from ${what}`);
  else ctx.ui.info(`${result.next.id} was already unsubscribed from ${what} (nothing changed)`);
}

/**
 * What a resubscribe without --topic gives back, said exactly: the topics they still follow come back with the
 * subscription; a topic they left on its own stays left (that was a choice of its own), and the sentence says how
 * to give it back.
 */
export function resubscribeScope(subscriber: Subscriber): string {
  const follows = subscriber.topics.length === 0 ? 'no topic (they follow none)' : `their topics ${subscriber.topics.join(', ')}`;
  const left = subscriber.optedOutTopics ?? [];
  if (left.length === 0) return follows;
  return `${follows} — not ${left.join(', ')}, which they left one by one (for those: --topic ${left[0]})`;
}

/**
 * Undoes an opt-out. It overrides a citizen's recorded choice, so it shows whose and asks first (or needs --yes);
 * the note should say why (a new signed form, a request at the desk).
 */
export async function runSubscriberResubscribe(options: OptOutOptions, ctx: Context): Promise<void> {
  const country = await ctx.country();
  const { subscribers } = await ctx.ports();
  const parsed = parseRef(options.ref, country);
  const shown = await findRef(subscribers, options.ref, country);
  const what = options.topic === undefined ? resubscribeScope(shown) : `topic ${options.topic}`;
  await ctx.confirm(
    `Resubscribe ${shown.id}${shown.name ? ` (${shown.name})` : ''} to ${what}? This overrides the citizen's opt-out`,
    canaleCommand('subscribers', 'resubscribe', options.ref, ...(options.topic === undefined ? [] : ['--topic', options.topic]), ...(options.note === undefined ? [] : ['--note', options.note]), '--yes'),
  );
  const now = ctx.now();
  const result = await subscribers.transaction(refHints(parsed), (tx) => {
    const current = resolveRefIn(tx, options.ref, parsed);
    const topic = options.topic === undefined ? undefined : resolveTopics(tx.topics(), [options.topic])[0];
    const next = resubscribe(current, topic, { at: now, source: 'cli', ...(options.note ? { note: options.note } : {}) });
    if (next !== current) tx.replace(next);
    return { next, changed: next !== current };
  });
  if (result.changed) ctx.ui.success(`${result.next.id} is subscribed again to ${what}`);
  else ctx.ui.info(`${result.next.id} was already subscribed to ${what} (nothing changed)`);
}
