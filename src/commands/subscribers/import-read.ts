import { openCsvFile, type CsvFile } from '../../adapters/csv/csv-file.js';
import { readCsvRecords } from '../../adapters/csv/csv-records.js';
import { readNeutralisedCells } from '../../adapters/csv/formula-cells.js';
import { spellingFor } from '../../adapters/csv/header-spellings.js';
import { mapColumns, type ColumnMapping } from '../../core/column-mapping.js';
import { CanaleError } from '../../core/errors.js';
import { ImportBatchBuilder, type ImportBatch } from '../../core/import-batch.js';
import type { MapOverride } from '../../core/import-field.js';
import { RowReader } from '../../core/import-row.js';
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

function isBlank(cells: readonly string[]): boolean {
  return cells.every((c) => c.trim() === '');
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
