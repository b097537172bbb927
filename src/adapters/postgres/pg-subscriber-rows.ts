import { emailKey } from '../../core/email.js';
import type { Subscriber } from '../../core/subscriber.js';
import { whatsappSources } from '../store/store-index.js';

/** A subscriber as a row: the columns canale finds and filters by, next to the whole record. */
export interface SubscriberRow {
  readonly id: string;
  readonly phone: string | null;
  readonly email_key: string | null;
  readonly user_id: string | null;
  readonly status: string;
  readonly topics: readonly string[];
  readonly left_topics: readonly string[];
  readonly sources: readonly string[];
  readonly record: Subscriber;
}

export function rowOf(s: Subscriber): SubscriberRow {
  return {
    id: s.id,
    phone: s.phone ?? null,
    email_key: s.email === undefined ? null : emailKey(s.email),
    user_id: s.whatsappUserId ?? null,
    status: s.status,
    topics: s.topics,
    left_topics: s.optedOutTopics ?? [],
    sources: whatsappSources(s),
    record: s,
  };
}

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format: backslash, newline, carriage return and tab escaped; absent as \N. */
function copyField(text: string | undefined): string {
  if (text === undefined) return '\\N';
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPED[c] as string) : text;
}

/** A text[] literal, every element quoted. */
function arrayLiteral(items: readonly string[]): string {
  let literal = '';
  for (const item of items) literal += `${literal === '' ? '' : ','}"${item.includes('"') || item.includes('\\') ? item.replace(/["\\]/g, '\\$&') : item}"`;
  return copyField(`{${literal}}`);
}

/** The columns of a subscriber's row, in the order copyLine writes them. */
export const ROW_COLUMNS = ['id', 'phone', 'email_key', 'user_id', 'status', 'topics', 'left_topics', 'sources', 'record'] as const;

/**
 * One line of `COPY canale_subscribers (ROW_COLUMNS) FROM STDIN`
 * in text format. JSON text has no raw newline or tab: only its backslashes are escaped.
 */
export function copyLine(s: Subscriber): string {
  const json = JSON.stringify(s);
  const record = json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
  const email = s.email === undefined ? undefined : emailKey(s.email);
  return `${copyField(s.id)}\t${copyField(s.phone)}\t${copyField(email)}\t${copyField(s.whatsappUserId)}\t${copyField(s.status)}\t${arrayLiteral(s.topics)}\t${arrayLiteral(s.optedOutTopics ?? [])}\t${arrayLiteral(whatsappSources(s))}\t${record}\n`;
}

/** The lines of a COPY of these subscribers, a few hundred kilobytes at a time. */
export function* copyChunks(subscribers: readonly Subscriber[], rowsPerChunk = 1_000): Generator<string> {
  for (let from = 0; from < subscribers.length; from += rowsPerChunk) {
    let chunk = '';
    for (let i = from; i < Math.min(subscribers.length, from + rowsPerChunk); i++) chunk += copyLine(subscribers[i] as Subscriber);
    yield chunk;
  }
}
