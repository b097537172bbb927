import { findRef } from '../../core/subscriber-ref.js';
import { tableTime } from '../../ui/local-time.js';
import type { Context } from '../context.js';
import { displayZone } from '../display-zone.js';
import { subscriberJson } from './format.js';

/** Everything canale keeps about one citizen, including consent and its history; times in `timezone`. */
export async function runSubscriberShow(ref: string, options: { readonly json: boolean }, ctx: Context): Promise<void> {
  const s = await findRef(await ctx.subscribers(), ref, await ctx.country());
  if (options.json) {
    ctx.ui.json(subscriberJson(s));
    return;
  }
  const bold = ctx.ui.color.bold;
  const zone = await displayZone(ctx);
  const when = (at: string): string => tableTime(at, zone);
  const lines: Array<[string, string]> = [
    ['id', s.id],
    ['name', s.name ?? ''],
    ['phone', s.phone ?? ''],
    ['WhatsApp id', s.whatsappUserId ?? ''],
    ['email', s.email ?? ''],
    ['channel', s.channel + (s.whatsappUnreachable ? ' (WhatsApp unreachable)' : '') + (s.emailBounced ? ' (e-mail bounced)' : '')],
    ['status', s.status],
    ['topics', s.topics.join(', ')],
    ['left topics', (s.optedOutTopics ?? []).join(', ')],
    ...Object.entries(s.attributes).map(([k, v]): [string, string] => [k, v]),
    ['consent', `${s.consent.source} at ${tableTime(s.consent.at, zone, { dateOnly: 'at-midnight' })}${s.consent.note ? ` — ${s.consent.note}` : ''}${s.consent.notice ? ` (privacy notice ${s.consent.notice})` : ''}`],
    ['created', when(s.createdAt)],
    ['updated', when(s.updatedAt)],
  ];
  for (const [key, value] of lines) if (value !== '') ctx.ui.out(`${bold(`${key}:`.padEnd(13))}${value}`);
  for (const event of s.history ?? []) {
    ctx.ui.out(`${bold('history:'.padEnd(13))}${when(event.at)} ${event.action}${event.topic ? ` ${event.topic}` : ''}${event.previous ? ` (was ${event.previous})` : ''} (${event.source}${event.note ? `: ${event.note}` : ''})`);
  }
}
