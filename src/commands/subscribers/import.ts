import { resolve } from 'node:path';
import { checkDelimiter, delimiterLabel } from '../../adapters/csv/csv-delimiter.js';
import { checkEncoding } from '../../adapters/csv/csv-encoding.js';
import { writeRejectedRows } from '../../adapters/csv/rejected-rows-csv.js';
import { configKey } from '../../core/config-keys.js';
import { CanaleError, EXIT, usageError } from '../../core/errors.js';
import { parseMapFlag, type MapOverride } from '../../core/import/field.js';
import { applyImportPlan, changesStore, importReport, planImport, planImportByScan, type ImportMode, type ImportPlan, type ImportPlanOptions } from '../../core/import/plan.js';
import type { SubscriberStore } from '../../core/ports.js';
import type { SubscriberId } from '../../core/subscriber.js';
import { splitTopicList } from '../../core/topic.js';
import type { Context } from '../context.js';
import { checkOutputFile } from '../output-file.js';
import { startProgress } from './import-progress.js';
import { importInterrupted, readImportSource, type ImportSource } from './import-read.js';
import { printMapping, printSummary } from './import-summary.js';
import { canaleCommand } from '../../core/shell-quote.js';

export interface SubscriberImportFlags {
  dryRun?: boolean;
  delimiter?: string;
  encoding?: string;
  country?: string;
  topics?: string;
  mode?: string;
  skipInvalid?: boolean;
  allowResubscribe?: boolean;
  createTopics?: boolean;
  errors?: string;
  force?: boolean;
  map?: string[];
  json?: boolean;
}

export interface SubscriberImportOptions {
  readonly file: string;
  readonly dryRun: boolean;
  readonly delimiter?: string;
  readonly encoding?: string;
  readonly country?: string;
  readonly topicNames: readonly string[];
  readonly mode: ImportMode;
  readonly skipInvalid: boolean;
  readonly allowResubscribe: boolean;
  readonly createTopics: boolean;
  readonly errorsFile?: string;
  /** Replace an existing --errors file without asking. */
  readonly force: boolean;
  readonly overrides: readonly MapOverride[];
  readonly json: boolean;
}

/** Reads `subscribers import` flags; every bad flag is a usage error (exit 2) that names it. */
export function parseSubscriberImport(file: string, flags: SubscriberImportFlags): SubscriberImportOptions {
  const mode = (flags.mode ?? 'upsert').trim().toLowerCase();
  if (mode !== 'upsert' && mode !== 'insert') throw usageError('MODE_INVALID', `--mode "${flags.mode}" is not upsert or insert`);
  let country: string | undefined;
  if (flags.country !== undefined) {
    const checked = configKey('country').check(flags.country.trim());
    if (typeof checked === 'object') throw usageError('COUNTRY_INVALID', `--country "${flags.country}" is not valid — expected ${checked.expected}`);
    country = String(checked);
  }
  if (flags.errors !== undefined && flags.errors.trim() === '') throw usageError('ERRORS_FILE_MISSING', '--errors needs a file name, for example --errors scartati.csv');
  return {
    file,
    dryRun: flags.dryRun === true,
    ...(flags.delimiter === undefined ? {} : { delimiter: checkDelimiter(flags.delimiter) }),
    ...(flags.encoding === undefined ? {} : { encoding: checkEncoding(flags.encoding) }),
    ...(country === undefined ? {} : { country }),
    topicNames: splitTopicList(flags.topics ?? ''),
    mode,
    skipInvalid: flags.skipInvalid === true,
    allowResubscribe: flags.allowResubscribe === true,
    createTopics: flags.createTopics === true,
    ...(flags.errors === undefined ? {} : { errorsFile: flags.errors }),
    force: flags.force === true,
    overrides: (flags.map ?? []).map(parseMapFlag),
    json: flags.json === true,
  };
}

/** 1 when rows are invalid and not skipped (nothing is imported), 3 when invalid rows were skipped, else 0. */
function exitCodeOf(plan: ImportPlan, options: SubscriberImportOptions): number {
  if (plan.rejected.length === 0) return EXIT.ok;
  return options.skipInvalid ? EXIT.partial : EXIT.failed;
}

/** `import:<file name>#<first 12 hex of its sha256>`: the consent source of everyone the file brings. */
function consentSource(source: ImportSource): string {
  return `import:${source.file.name}#${source.file.sha256.slice(0, 12)}`;
}

/** An import changing more rows than this asks the store for a bulk transaction (BookHints.bulk). */
const BULK_IMPORT_ROWS = 2_000;

/**
 * Reads the file, then plans against the store as it is now, read as a stream: only the subscribers the import
 * changes are kept, so a re-import of a million unchanged rows never holds the million subscribers.
 */
async function readAndPlan(options: SubscriberImportOptions, ctx: Context, now: string, stop: AbortController) {
  const store = (await ctx.ports()).subscribers;
  void ctx.deps.untilInterrupted?.().then(() => stop.abort());
  const signal = stop.signal;
  const topics = await store.topics();
  const country = options.country ?? (await ctx.country());
  const timeZone = (await ctx.settings()).get('timezone');
  let progress = startProgress(ctx, 0, '');
  const source = await readImportSource(
    { ...options, path: resolve(ctx.deps.cwd, options.file), keepCells: options.errorsFile !== undefined, country, timeZone, topics, signal },
    {
      opened(file) {
        ctx.ui.info(`reading ${file.name} (${(file.size / 1e6).toFixed(1)} MB, ${file.encoding}, delimiter ${delimiterLabel(file.delimiter)})…`);
        progress = startProgress(ctx, file.bytes.length, `reading ${file.name}`);
      },
      progress: (done, total) => progress.update(done, total),
    },
  ).finally(() => progress.stop());
  const planOptions: ImportPlanOptions = { mode: options.mode, allowResubscribe: options.allowResubscribe, now, source: consentSource(source) };
  // a re-import reads every stored subscriber (a million: some seconds): a signal stops that too
  const scanning: Pick<SubscriberStore, 'scan' | 'topics'> = {
    scan: (filter, visit) =>
      store.scan(filter, (subscriber, index) => {
        if (signal.aborted) throw importInterrupted();
        visit(subscriber, index);
      }),
    topics: () => store.topics(),
  };
  return { store, source, planOptions, plan: await planImportByScan(scanning, source.batch, planOptions) };
}

async function writeErrorsFile(path: string | undefined, ctx: Context, source: ImportSource, plan: ImportPlan): Promise<void> {
  if (path === undefined) return;
  await writeRejectedRows(path, source.header, plan.rejected, source.file.delimiter);
  if (plan.rejected.length > 0) ctx.ui.info(`wrote the ${plan.rejected.length} rejected row(s) to ${path}: fix them there and import that file again`);
}

function report(options: SubscriberImportOptions, ctx: Context, source: ImportSource, plan: ImportPlan): void {
  if (options.json) ctx.ui.json(importReport(plan));
  else printSummary(ctx, plan);
}

/**
 * Imports subscribers from a CSV file: read and check every row, plan against the store, show, confirm, then write
 * the store once. All or nothing unless --skip-invalid; people who opted out are never re-subscribed unless
 * --allow-resubscribe. Returns the exit code: 0, 1 (invalid rows, nothing imported) or 3 (invalid rows skipped).
 */
export async function runSubscriberImport(options: SubscriberImportOptions, ctx: Context): Promise<number> {
  const hint = canaleCommand('subscribers', 'import', options.file, '--yes');
  // checked before the file is read: a long import must not end on a refused --errors file
  const errorsPath = options.errorsFile === undefined ? undefined : await checkOutputFile(ctx, options.errorsFile, '--errors', options.force);
  // off a terminal, fail before reading a large file rather than after
  if (!options.dryRun && !ctx.ui.isInteractive) await ctx.confirm(`Import ${options.file}?`, hint);
  // Ctrl-C or SIGTERM stops the import at its next pause (every 20,000 rows read, while the store is scanned, and
  // before it is written), exit 130 with the store untouched; once the write has begun it finishes (all or nothing)
  const stop = new AbortController();
  const { store, source, planOptions, plan } = await readAndPlan(options, ctx, ctx.now(), stop);
  if (stop.signal.aborted) throw importInterrupted();
  const exit = exitCodeOf(plan, options);
  if (options.dryRun || exit === EXIT.failed || !changesStore(plan)) {
    if (options.dryRun && !options.json) printMapping(ctx, source.mapping);
    report(options, ctx, source, plan);
    await writeErrorsFile(errorsPath, ctx, source, plan);
    if (exit === EXIT.failed) {
      const conflicts = importReport(plan).conflicts;
      const which = conflicts === 0 ? '' : ` (${conflicts} of them conflicts: two people with one phone or e-mail)`;
      ctx.ui.warn(`${plan.rejected.length} of ${plan.read} rows are invalid${which}, so nothing was imported — fix them, or import the valid rows with --skip-invalid`);
    }
    if (options.dryRun) ctx.ui.info('dry run: nothing was changed — run again without --dry-run to import');
    else if (exit !== EXIT.failed) ctx.ui.info('nothing to change: the store already holds what this file says');
    return exit;
  }
  const counts = importReport(plan);
  if (ctx.ui.isInteractive) {
    report(options, ctx, source, plan);
    await ctx.confirm(`Import ${source.file.name}: ${counts.inserted} new and ${counts.updated} updated subscriber(s) into ${await ctx.storeLabel()}?`, hint);
  }
  if (stop.signal.aborted) throw importInterrupted();
  const newId = (): SubscriberId => ctx.deps.ids.next('sub_') as SubscriberId;
  const final = await store.transaction({ bulk: counts.inserted + counts.updated > BULK_IMPORT_ROWS }, (tx) => {
    const fresh = planImport(tx, source.batch, planOptions);
    // without --skip-invalid the file had no invalid row, so any rejection now comes from a change of the store
    if (!options.skipInvalid && fresh.rejected.length > 0) {
      throw new CanaleError('IMPORT_CONFLICT', 'the store changed while the file was read and some rows now clash with it — nothing was imported; run the import again');
    }
    applyImportPlan(tx, fresh, newId, planOptions);
    return fresh;
  });
  if (!ctx.ui.isInteractive) report(options, ctx, source, final);
  await writeErrorsFile(errorsPath, ctx, source, final);
  const done = importReport(final);
  ctx.ui.success(`imported ${source.file.name}: ${done.inserted} new, ${done.updated} updated, ${done.unchanged} unchanged, ${done.duplicates} duplicates merged, ${done.blocked} blocked`);
  if (done.rejected > 0) ctx.ui.warn(`${done.rejected} invalid row(s) were skipped (exit 3)${done.conflicts === 0 ? '' : `, ${done.conflicts} of them conflicts (two people with one phone or e-mail)`}`);
  if (done.warnings.length > 0 && !options.json) ctx.ui.warn(`${done.warnings.length} warning(s) above: those rows were imported, but look at them`);
  return exitCodeOf(final, options);
}
