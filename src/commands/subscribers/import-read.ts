import { openCsvFile, type CsvFile } from '../../adapters/csv/csv-file.js';
import { readCsvRecords } from '../../adapters/csv/csv-records.js';
import { readNeutralisedCells } from '../../adapters/csv/formula-cells.js';
import { spellingFor } from '../../adapters/csv/header-spellings.js';
import { mapColumns, type ColumnMapping } from '../../core/import/column-mapping.js';
import { CanaleError } from '../../core/errors.js';
import { ImportBatchBuilder, type ImportBatch } from '../../core/import/batch.js';
import type { MapOverride } from '../../core/import/field.js';
import { RowReader } from '../../core/import/row.js';
import { TopicResolver } from '../../core/topic-resolver.js';
import type { Topic, TopicId } from '../../core/topic.js';

export interface ReadOptions {
  readonly path: string;
  readonly encoding?: string;
  readonly delimiter?: string;
  readonly overrides: readonly MapOverride[];
  readonly topicNames: readonly string[];
  readonly createTopics: boolean;
  readonly keepCells: boolean;
  readonly country: string;
  readonly timeZone: string;
  /** The store's topics when the file is read. */
  readonly topics: readonly Topic[];
  /** Aborted by Ctrl-C or SIGTERM: reading stops at the next pause between slices of rows, with exit 130. */
  readonly signal?: AbortSignal;
}

/** What was read: the file's facts (without its bytes), the header and its mapping, and the batch of rows. */
export interface ImportSource {
  readonly file: Omit<CsvFile, 'bytes'>;
  readonly header: readonly string[];
  readonly mapping: ColumnMapping;
  readonly batch: ImportBatch;
}

export interface ReadHooks {
  /** Called once the file is open, before its rows are parsed. */
  opened(file: CsvFile): void;
  progress(doneBytes: number, totalBytes: number): void;
}

const BYTES_PER_ROW = 100;
const MAX_EXPECTED_ROWS = 4_000_000;

/** More columns than any real export (a form or a CRM has tens, canale's own export about 20). */
export const MAX_COLUMNS = 1_000;
/** Longer than any spreadsheet cell (Google Sheets holds 50,000 characters in one, Excel 32,767). */
export const MAX_CELL_LENGTH = 50_000;

function isBlank(cells: readonly string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

/** What is said when Ctrl-C or SIGTERM stops an import: nothing was written. */
export function importInterrupted(): CanaleError {
  return new CanaleError('IMPORT_INTERRUPTED', 'interrupted — nothing was imported, the store is as it was: run the same command again to import the file', { exit: 'interrupted' });
}

/**
 * Refuses a file no export makes (a header of 50,000 columns, a cell of 10 MB) before any row is checked: such a
 * file is a mistake or an attack, and reading it would take minutes and echo megabytes back in the errors.
 */
function refuseHostile(path: string, cells: readonly string[], line: number, isHeader: boolean): void {
  if (isHeader && cells.length > MAX_COLUMNS) {
    throw new CanaleError(
      'IMPORT_TOO_MANY_COLUMNS',
      `${path}:${line}: the header has ${cells.length} columns, more than any real export (canale reads at most ${MAX_COLUMNS}) — is this the right file? Keep only the columns to import (phone or e-mail, name, topics, consent…) and save it again`,
    );
  }
  for (let i = 0; i < cells.length; i++) {
    const length = (cells[i] as string).length;
    if (length > MAX_CELL_LENGTH) {
      throw new CanaleError(
        'IMPORT_CELL_TOO_LONG',
        `${path}:${line}: cell ${i + 1} holds ${length} characters, more than a spreadsheet cell can (canale reads at most ${MAX_CELL_LENGTH}) — is this the right file? A quote that is never closed can also swallow the rest of the file: check the quotes before this line`,
      );
    }
  }
}

/** The mapping of the header; a file that cannot be imported (no contact column) is named in the error. */
function mapColumnsOf(path: string, header: readonly string[], overrides: readonly MapOverride[]): ColumnMapping {
  try {
    return mapColumns(header, spellingFor(header), overrides);
  } catch (error) {
    if (error instanceof CanaleError && error.exit === 'failed') throw new CanaleError(error.code, `${path}: ${error.message}`);
    throw error;
  }
}

/** Resolves `--topics`: every name must be a known topic, or be created with --create-topics. */
function resolveExtraTopics(resolver: TopicResolver, names: readonly string[]): TopicId[] {
  return names.map((name) => {
    const resolved = resolver.resolve(name);
    if (!resolved.ok) throw new CanaleError('TOPIC_UNKNOWN', `--topics "${name}": ${resolved.reason}`);
    return resolved.id;
  });
}

/**
 * Reads an import file in one pass: opens it (encoding, delimiter, hash), maps the header's columns, and checks
 * each row as it is parsed, merging rows of the same citizen. Nothing here touches the store.
 */
export async function readImportSource(options: ReadOptions, hooks: ReadHooks): Promise<ImportSource> {
  const file = await openCsvFile(options.path, { encoding: options.encoding, delimiter: options.delimiter });
  hooks.opened(file);
  const resolver = new TopicResolver(options.topics, options.createTopics);
  const extraTopics = resolveExtraTopics(resolver, options.topicNames);
  // about a hundred bytes a row in the files offices export: the batch's indexes are sized for that many (up to a
  // cap, past which they grow as rows come)
  const builder = new ImportBatchBuilder(Math.min(MAX_EXPECTED_ROWS, Math.floor(file.bytes.length / BYTES_PER_ROW)));
  let header: string[] | undefined;
  let mapping: ColumnMapping | undefined;
  let reader: RowReader | undefined;
  // a cell an export of canale wrote as `'+39…` (safe in a spreadsheet) is read as `+39…`: see formula-cells.ts
  await readCsvRecords(file.bytes, file.delimiter, file.path, {
    record(cells, line) {
      if (options.signal?.aborted === true) throw importInterrupted();
      refuseHostile(file.path, cells, line, reader === undefined);
      readNeutralisedCells(cells);
      if (reader === undefined) {
        if (isBlank(cells)) return;
        header = cells.map((c) => c.replace(/^\uFEFF/, '').trim());
        mapping = mapColumnsOf(file.path, header, options.overrides);
        reader = new RowReader(mapping, { country: options.country, timeZone: options.timeZone, topics: resolver, extraTopics, keepCells: options.keepCells });
        return;
      }
      if (!isBlank(cells)) builder.add(reader.read(cells, line));
    },
    broken(line, reason, cells) {
      if (options.signal?.aborted === true) throw importInterrupted();
      refuseHostile(file.path, cells, line, reader === undefined);
      readNeutralisedCells(cells);
      if (reader === undefined) throw new CanaleError('IMPORT_NOT_CSV', `${file.path} cannot be read as CSV: line ${line}: ${reason}`);
      builder.addBroken({ line, errors: [{ line, column: null, value: '', reason }], ...(options.keepCells ? { cells } : {}) });
    },
    progress: hooks.progress,
  });
  if (header === undefined || mapping === undefined) throw new CanaleError('IMPORT_EMPTY', `${file.path} has no header row — there is nothing to import`);
  const { bytes: _bytes, ...facts } = file;
  const notes =
    reader === undefined
      ? undefined
      : { warnings: reader.notes.warnings(), columnProblems: reader.notes.columnProblems(), consentAtFixes: reader.consentDates.fixes() };
  return { file: facts, header, mapping, batch: builder.build(resolver.created, notes) };
}
