import { eraseAfterRemoval, eraseElsewhere } from '../../adapters/erasure.js';
import { resolveRef } from '../../core/subscriber-ref.js';
import { removeSubscriber } from '../../core/subscribers.js';
import type { Context } from '../context.js';
import { canaleCommand } from '../../core/shell-quote.js';

/**
 * Erasure on request (GDPR art. 17): removes the subscriber and every copy of their phone, e-mail and name from
 * the home. Other files are cleaned first and the store last, so an interrupted forget can simply be repeated.
 */
export async function runSubscriberForget(ref: string, ctx: Context): Promise<void> {
  const country = await ctx.country();
  const store = await ctx.store();
  const subscriber = resolveRef((await store.read()).subscribers, ref, country);
  const who = [subscriber.name, subscriber.phone, subscriber.email].filter(Boolean).join(', ');
  await ctx.confirm(`Erase ${subscriber.id} (${who}) and all their data from this home? This cannot be undone`, canaleCommand('subscribers', 'forget', ref, '--yes'));
  const elsewhere = await eraseElsewhere(subscriber, ctx.paths);
  await store.update((data) => removeSubscriber(data, subscriber.id));
  const files = elsewhere.reduce((sum, e) => sum + e.files, 0) + (await eraseAfterRemoval(subscriber, ctx.paths));
  ctx.ui.success(`forgot ${subscriber.id}: removed from db.json${files > 0 ? ` and ${files} other file(s)` : ''}`);
}
