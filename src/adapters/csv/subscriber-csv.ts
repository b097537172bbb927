import type { Subscriber } from '../../core/subscriber.js';
import { csvText } from './csv-text.js';

/** The fixed columns of an export, in order; each attribute follows as a column of its own name. */
export const EXPORT_COLUMNS = [
  'id',
  'name',
  'phone',
  'whatsapp_user_id',
  'email',
  'channel',
  'topics',
  'status',
  'opted_out_topics',
  'whatsapp_unreachable',
  'email_bounced',
  'consent_source',
  'consent_at',
  'consent_note',
  'created_at',
  'updated_at',
] as const;

function fixedCells(s: Subscriber): string[] {
  return [
    s.id,
    s.name ?? '',
    s.phone ?? '',
    s.whatsappUserId ?? '',
    s.email ?? '',
    s.channel,
    s.topics.join('|'),
    s.status,
    (s.optedOutTopics ?? []).join('|'),
    s.whatsappUnreachable === true ? 'true' : '',
    s.emailBounced === true ? 'true' : '',
    s.consent.source,
    s.consent.at,
    s.consent.note ?? '',
    s.createdAt,
    s.updatedAt,
  ];
}

/**
 * Subscribers as RFC 4180 CSV (UTF-8, CRLF, quoted where needed; a comma, or `format`'s delimiter and a
 * byte-order mark), a thousand rows per chunk, so a million-row export never builds one giant string. Topics are joined with `|`, as the import reads them.
 * Cells a spreadsheet would run as a formula (`+39…`, `=…`) get a `'` before them, which the import drops again.
 */
export function* subscribersToCsv(subscribers: readonly Subscriber[], format = { delimiter: ',', bom: false }): Generator<string> {
  const attributeKeys = [...new Set(subscribers.flatMap((s) => Object.keys(s.attributes)))].sort();
  if (format.bom) yield '\uFEFF';
  yield csvText([[...EXPORT_COLUMNS, ...attributeKeys]], format.delimiter);
  for (let start = 0; start < subscribers.length; start += 1000) {
    const rows = subscribers
      .slice(start, start + 1000)
      .map((s) => [...fixedCells(s), ...attributeKeys.map((k) => s.attributes[k] ?? '')]);
    yield csvText(rows, format.delimiter);
  }
}
