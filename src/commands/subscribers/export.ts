import { resolve } from 'node:path';
import { subscribersToCsv } from '../../adapters/csv/subscriber-csv.js';
import { writeFileAtomic } from '../../adapters/fs/atomic-file.js';
import { usageError } from '../../core/errors.js';
import type { Context } from '../context.js';
import { subscriberJson } from './format.js';

export type ExportFormat = 'csv' | 'json';

export interface SubscriberExportOptions {
  readonly format: ExportFormat;
  readonly out?: string;
}

export function parseSubscriberExport(flags: { format?: string; out?: string }): SubscriberExportOptions {
  const format = (flags.format ?? (flags.out?.toLowerCase().endsWith('.json') ? 'json' : 'csv')).toLowerCase();
  if (format !== 'csv' && format !== 'json') throw usageError('FORMAT_INVALID', `--format "${flags.format}" is not csv or json`);
  return { format, ...(flags.out === undefined ? {} : { out: flags.out }) };
}

function* jsonChunks(items: readonly Record<string, unknown>[]): Generator<string> {
  yield '[';
  for (let i = 0; i < items.length; i++) yield `${i === 0 ? '\n' : ',\n'}${JSON.stringify(items[i])}`;
  yield items.length > 0 ? '\n]\n' : ']\n';
}

/**
 * Every subscriber as CSV or JSON that `subscribers import` reads back. To stdout, or to a file created with
 * mode 0600, because it holds personal data.
 */
export async function runSubscriberExport(options: SubscriberExportOptions, ctx: Context): Promise<void> {
  const data = await (await ctx.store()).read();
  const chunks =
    options.format === 'csv' ? subscribersToCsv(data.subscribers) : jsonChunks(data.subscribers.map(subscriberJson));
  if (options.out === undefined) {
    for (const chunk of chunks) ctx.deps.io.stdout.write(chunk);
    return;
  }
  const path = resolve(ctx.deps.cwd, options.out);
  await writeFileAtomic(path, chunks);
  ctx.ui.success(`exported ${data.subscribers.length} subscriber(s) to ${path} (mode 0600: it holds personal data)`);
}
