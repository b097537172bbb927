import { parseKeyValues } from '../../core/attributes.js';
import { usageError } from '../../core/errors.js';
import type { SubscriberStore } from '../../core/ports.js';
import type { SubscriberFilter } from '../../core/subscriber-filter.js';
import { isStatus, type Subscriber } from '../../core/subscriber.js';
import { resolveTopics, splitTopicList } from '../../core/topic.js';
import { printTable } from '../../ui/table.js';
import type { Context } from '../context.js';
import { displayZone } from '../display-zone.js';
import { LIST_HEADER, listRow, subscriberJson } from './format.js';
import { pendingSignups, runPendingList } from './pending.js';

export interface SubscriberQueryFlags {
  topic?: string[];
  status?: string;
  where?: string[];
  search?: string;
  json?: boolean;
}

/** The filter as typed; topic names are resolved against the store when the command runs. */
export interface SubscriberQuery {
  readonly topicNames: readonly string[];
  readonly filter: Omit<SubscriberFilter, 'topics'>;
  readonly json: boolean;
  /** `--status pending`: the web sign-ups waiting for their confirmation, not subscribers. */
  readonly pending?: boolean;
}

export function parseSubscriberQuery(flags: SubscriberQueryFlags): SubscriberQuery {
  const asked = flags.status?.trim().toLowerCase();
  if (asked !== undefined && asked !== 'pending' && !isStatus(asked)) {
    throw usageError('STATUS_INVALID', `--status "${flags.status}" is not a status — use active, unsubscribed or pending (web sign-ups not confirmed yet)`);
  }
  const status = asked === 'pending' ? undefined : asked;
  const where = parseKeyValues(flags.where ?? [], '--where');
  const search = flags.search?.trim();
  return {
    topicNames: (flags.topic ?? []).flatMap(splitTopicList),
    filter: {
      ...(status === undefined ? {} : { status }),
      ...(where.length > 0 ? { where } : {}),
      ...(search ? { search } : {}),
    },
    json: flags.json === true,
    ...(asked === 'pending' ? { pending: true } : {}),
  };
}

/**
 * Reads the store as a stream, giving each subscriber that matches to the visitor `begin` makes: the others are
 * never kept, so counting among a million subscribers holds none of them.
 */
async function scanMatching(query: SubscriberQuery, ctx: Context, visit: (s: Subscriber) => void): Promise<number> {
  const subscribers = await ctx.subscribers();
  return (await subscribers.scan(await filterOf(query, subscribers), visit)).matched;
}

/** The query's filter, its topic names resolved against the store's catalogue. */
async function filterOf(query: SubscriberQuery, subscribers: SubscriberStore): Promise<SubscriberFilter> {
  return { ...query.filter, topics: resolveTopics(await subscribers.topics(), query.topicNames) };
}

async function select(query: SubscriberQuery, ctx: Context): Promise<Subscriber[]> {
  const found: Subscriber[] = [];
  await scanMatching(query, ctx, (s) => found.push(s));
  return found;
}

/** Subscribers matching every filter: a table on a terminal, tab-separated rows in a pipe, or JSON. */
export async function runSubscriberList(query: SubscriberQuery, ctx: Context): Promise<void> {
  if (query.pending === true) return runPendingList(query, ctx);
  const found = await select(query, ctx);
  if (query.json) {
    ctx.ui.json(found.map(subscriberJson));
    return;
  }
  const zone = await displayZone(ctx);
  printTable(ctx.ui, LIST_HEADER, found.map((s) => listRow(s, zone)));
  if (found.length === 0) ctx.ui.info('no subscriber matches — add one with: canale subscribers add --phone P --topics T');
}

/** How many subscribers match: a bare number, or `{ "count": N }` with --json. */
export async function runSubscriberCount(query: SubscriberQuery, ctx: Context): Promise<void> {
  // pending sign-ups are the sign-up store's: the subscriber store is not opened for them
  let count: number;
  if (query.pending === true) count = (await pendingSignups(query, ctx)).length;
  else {
    const subscribers = await ctx.subscribers();
    count = await subscribers.count(await filterOf(query, subscribers));
  }
  if (query.json) ctx.ui.json({ count });
  else ctx.ui.out(String(count));
}
