import type { PendingQuery, Row } from 'postgres';
import { fold, type SubscriberFilter } from '../../core/subscriber-filter.js';
import type { Sql, TxSql } from './database.js';

type Fragment = PendingQuery<Row[]>;

/** What of a filter SQL decides by index: topic membership (`topics && …`, `left_topics && …`, GIN) and status. */
export interface PushedFilter {
  /** The condition on canale_subscribers, or undefined when the filter names neither. */
  readonly where: Fragment | undefined;
  /** Whether the condition is all of the filter (no `where` or `search`, which fold case and accents as only core does). */
  readonly isExact: boolean;
}

export function pushedFilter(sql: Sql | TxSql, filter: SubscriberFilter | undefined): PushedFilter {
  const parts: Fragment[] = [];
  if (filter?.topics !== undefined && filter.topics.length > 0) parts.push(sql`topics && ${[...filter.topics]}::text[]`);
  if (filter?.touching !== undefined) parts.push(sql`(topics && ${[...filter.touching]}::text[] or left_topics && ${[...filter.touching]}::text[])`);
  if (filter?.status !== undefined) parts.push(sql`status = ${filter.status}`);
  const where = parts.reduce<Fragment | undefined>((all, part) => (all === undefined ? part : sql`${all} and ${part}`), undefined);
  const isExact = (filter?.where ?? []).length === 0 && fold(filter?.search ?? '') === '';
  return { where, isExact };
}
