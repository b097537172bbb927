import { emailKey } from '../../core/email.js';
import type { Subscriber } from '../../core/subscriber.js';
import { keysOf } from '../store/store-index.js';

/** The columns of canale_subscribers a row is written with, in this order (`position` is the table's to give). */
export const ROW_COLUMNS = ['id', 'phone', 'email_key', 'user_id', 'status', 'topics', 'sources', 'record'] as const;

/** A subscriber as a row: the columns canale finds and filters by, next to the whole record. */
export interface SubscriberRow {
  readonly id: string;
  readonly phone: string | null;
  readonly email_key: string | null;
  readonly user_id: string | null;
  readonly status: string;
  readonly topics: readonly string[];
  readonly sources: readonly string[];
  readonly record: Subscriber;
}

/** The `whatsapp:` consent sources of a record: the ones a reply is looked up by (keysOf's `s` keys). */
function indexedSources(s: Subscriber): string[] {
  return keysOf(s).flatMap((key) => (key.startsWith('s') ? [key.slice(1)] : []));
}

export function rowOf(s: Subscriber): SubscriberRow {
  return {
    id: s.id,
    phone: s.phone ?? null,
    email_key: s.email === undefined ? null : emailKey(s.email),
    user_id: s.whatsappUserId ?? null,
    status: s.status,
    topics: s.topics,
    sources: indexedSources(s),
    record: s,
  };
}

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format: backslash, newline, carriage return and tab escaped; null as \N. */
function copyField(text: string | null): string {
  if (text === null) return '\\N';
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPED[c] as string) : text;
}

/** A text[] literal, every element quoted. */
function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** One line of `COPY canale_subscribers (ROW_COLUMNS) FROM STDIN` (text format). */
export function copyLine(s: Subscriber): string {
  const row = rowOf(s);
  return `${copyField(row.id)}\t${copyField(row.phone)}\t${copyField(row.email_key)}\t${copyField(row.user_id)}\t${copyField(row.status)}\t${copyField(arrayLiteral(row.topics))}\t${copyField(arrayLiteral(row.sources))}\t${copyField(JSON.stringify(row.record))}\n`;
}

/** The lines of a COPY of these subscribers, a few hundred kilobytes at a time. */
export function* copyChunks(subscribers: readonly Subscriber[], rowsPerChunk = 1_000): Generator<string> {
  for (let from = 0; from < subscribers.length; from += rowsPerChunk) {
    let chunk = '';
    for (let i = from; i < Math.min(subscribers.length, from + rowsPerChunk); i++) chunk += copyLine(subscribers[i] as Subscriber);
    yield chunk;
  }
}
