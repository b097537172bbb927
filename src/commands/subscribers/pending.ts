import { usageError } from '../../core/errors.js';
import type { PendingSignup } from '../../core/signup/pending-signups.js';
import { resolveTopics } from '../../core/topic.js';
import { tableTime } from '../../ui/local-time.js';
import { printTable } from '../../ui/table.js';
import type { Context } from '../context.js';
import { displayZone } from '../display-zone.js';
import type { SubscriberQuery } from './list.js';

const HEADER = ['ID', 'NAME', 'PHONE', 'EMAIL', 'CHANNEL', 'TOPICS', 'STATUS', 'REQUESTED', 'EXPIRES'] as const;

/** The stable JSON form of a pending sign-up (DESIGN §10); its confirmation code is never shown. */
function pendingJson(p: PendingSignup): Record<string, unknown> {
  return { id: p.id, name: p.name ?? null, phone: p.phone ?? null, email: p.email ?? null, topics: p.topics, channel: p.channel, status: 'pending', requestedAt: p.at, expiresAt: p.expiresAt, notice: p.notice };
}

/**
 * The web sign-ups waiting for their confirmation (`--status pending`): not subscribers — no send reaches them — read
 * from the sign-up store, those past their time left out. `--topic` and `--search` apply; `--where` cannot (a sign-up
 * has no fields yet).
 */
export async function pendingSignups(query: SubscriberQuery, ctx: Context): Promise<PendingSignup[]> {
  if (query.filter.where !== undefined) throw usageError('WHERE_PENDING', '--where cannot select pending sign-ups: they have no fields until they are confirmed — use --topic or --search');
  const { signups, subscribers } = await ctx.ports();
  const topics = resolveTopics(await subscribers.topics(), query.topicNames);
  const search = query.filter.search?.toLowerCase();
  const now = ctx.now();
  return (await signups.read()).pending.filter(
    (p) =>
      p.expiresAt > now &&
      (topics.length === 0 || topics.some((t) => p.topics.includes(t))) &&
      (search === undefined || [p.name, p.phone, p.email].some((v) => v?.toLowerCase().includes(search))),
  );
}

export async function runPendingList(query: SubscriberQuery, ctx: Context): Promise<void> {
  const found = await pendingSignups(query, ctx);
  if (query.json) {
    ctx.ui.json(found.map(pendingJson));
    return;
  }
  const zone = await displayZone(ctx);
  printTable(ctx.ui, HEADER, found.map((p) => [p.id, p.name ?? '', p.phone ?? '', p.email ?? '', p.channel, p.topics.join(','), 'pending', tableTime(p.at, zone), tableTime(p.expiresAt, zone)]));
  if (found.length === 0) ctx.ui.info('no sign-up from the web page is waiting for its confirmation');
}
