import { subscribersToCsv } from '../../adapters/csv/subscriber-csv.js';
import { writeFileAtomic } from '../../adapters/fs/atomic-file.js';
import { usageError } from '../../core/errors.js';
import type { Subscriber } from '../../core/subscriber.js';
import type { Context } from '../context.js';
import { checkOutputFile } from '../output-file.js';
import { subscriberJson } from './format.js';

export type ExportFormat = 'csv' | 'json';

export interface SubscriberExportOptions {
  readonly format: ExportFormat;
  readonly out?: string;
  /** CSV as Italian Excel opens it with a double click: `;`, a UTF-8 byte-order mark, CRLF. */
  readonly excel: boolean;
  /** Replace an existing --out file without asking. */
  readonly force: boolean;
}

export interface SubscriberExportFlags {
  format?: string;
  out?: string;
  excel?: boolean;
  force?: boolean;
}

export function parseSubscriberExport(flags: SubscriberExportFlags): SubscriberExportOptions {
  const excel = flags.excel === true;
  const format = (flags.format ?? (excel || !flags.out?.toLowerCase().endsWith('.json') ? 'csv' : 'json')).toLowerCase();
  if (format !== 'csv' && format !== 'json') throw usageError('FORMAT_INVALID', `--format "${flags.format}" is not csv or json`);
  if (excel && format !== 'csv') throw usageError('FORMAT_INVALID', '--excel writes CSV: leave out --format json, or --excel');
  return { format, excel, force: flags.force === true, ...(flags.out === undefined ? {} : { out: flags.out }) };
}

const PLAIN = { delimiter: ',', bom: false };
// Italian Excel reads a double-clicked .csv with the list separator of its locale (;) and needs the byte-order
// mark to take it as UTF-8 rather than Windows-1252; `subscribers import` detects both
const EXCEL = { delimiter: ';', bom: true };

function* jsonChunks(items: readonly Record<string, unknown>[]): Generator<string> {
  yield '[';
  for (let i = 0; i < items.length; i++) yield `${i === 0 ? '\n' : ',\n'}${JSON.stringify(items[i])}`;
  yield items.length > 0 ? '\n]\n' : ']\n';
}

/**
 * Every subscriber as CSV (plain, or as Italian Excel opens it) or JSON that `subscribers import` reads back. To stdout, or to a file created with
 * mode 0600, because it holds personal data.
 */
export async function runSubscriberExport(options: SubscriberExportOptions, ctx: Context): Promise<void> {
  const path = options.out === undefined ? undefined : await checkOutputFile(ctx, options.out, '--out', options.force);
  const subscribers: Subscriber[] = [];
  await (await ctx.subscribers()).scan(undefined, (s) => subscribers.push(s));
  const chunks = options.format === 'csv' ? subscribersToCsv(subscribers, options.excel ? EXCEL : PLAIN) : jsonChunks(subscribers.map(subscriberJson));
  if (path === undefined) {
    for (const chunk of chunks) ctx.deps.io.stdout.write(chunk);
    return;
  }
  await writeFileAtomic(path, chunks);
  ctx.ui.success(`exported ${subscribers.length} subscriber(s) to ${path} (mode 0600: it holds personal data)`);
}
