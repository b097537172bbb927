import { outboxHolder } from '../../adapters/transports/outbox/outbox-files.js';
import { forgetSubscriber } from '../../core/erasure/forget.js';
import { findRef } from '../../core/subscriber-ref.js';
import type { Context } from '../context.js';
import { canaleCommand } from '../../core/shell-quote.js';

/**
 * Erasure on request (GDPR art. 17): removes the subscriber and every copy of their phone, e-mail and name from
 * the home. Other places are cleaned first and the store last, so an interrupted forget can simply be repeated.
 */
export async function runSubscriberForget(ref: string, ctx: Context): Promise<void> {
  const country = await ctx.country();
  const ports = await ctx.ports();
  const subscriber = await findRef(ports.subscribers, ref, country);
  const who = [subscriber.name, subscriber.phone, subscriber.email].filter(Boolean).join(', ');
  await ctx.confirm(`Erase ${subscriber.id} (${who}) and all their data from this home? This cannot be undone`, canaleCommand('subscribers', 'forget', ref, '--yes'));
  const outbox = { name: outboxHolder.name, erase: (s: typeof subscriber) => outboxHolder.erase(s, ctx.paths) };
  const files = await forgetSubscriber(ports, [outbox], subscriber);
  ctx.ui.success(`forgot ${subscriber.id}: removed from db.json${files > 0 ? ` and ${files} other file(s)` : ''}`);
}
