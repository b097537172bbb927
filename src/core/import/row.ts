import { AttributeSets, type AttributeColumn } from '../attribute-sets.js';
import type { ColumnMapping, MappedColumn } from './column-mapping.js';
import { readConsentAnswer } from './consent-answer.js';
import { parseDateCell } from '../date-cell.js';
import { DateColumn } from './date-column.js';
import type { Email } from '../email.js';
import type { ImportField } from './field.js';
import { DATE_HINT, ImportNotes } from './notes.js';
import { isLandline, LANDLINE_WARNING, type E164 } from '../phone.js';
import { checkSubscriberDraft, type InputField, type SubscriberInput } from '../subscriber-input.js';
import type { SubscriberStatus } from '../subscriber.js';
import type { TopicResolver } from '../topic-resolver.js';
import { splitTopicList, type TopicId } from '../topic.js';

/** One problem of one row: the physical line in the file, the column as written (null: the whole row), the value, why. */
export interface RowError {
  readonly line: number;
  readonly column: string | null;
  readonly value: string;
  readonly reason: string;
}

/** A row that is not imported, with every problem found; `cells` kept only when rejected rows are written out. */
export interface RejectedRow {
  readonly line: number;
  readonly errors: readonly RowError[];
  readonly cells?: readonly string[];
  /** Rejected because it names another person than a row or subscriber with the same phone or e-mail. */
  readonly conflict?: true;
}

/**
 * A checked row: a citizen as the file describes them. Rows of the same citizen merge into one (`mergedLines`).
 * `name`, `phone` and `email` may be present and undefined.
 */
export interface ImportRow extends SubscriberInput {
  readonly line: number;
  readonly id?: string;
  readonly status?: SubscriberStatus;
  readonly optedOutTopics?: readonly TopicId[];
  readonly whatsappUnreachable?: true;
  readonly emailBounced?: true;
  readonly consentSource?: string;
  readonly consentNote?: string;
  readonly consentAt?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly cells?: readonly string[];
  readonly mergedLines?: readonly number[];
  readonly mergedCells?: ReadonlyArray<readonly string[] | undefined>;
}

export type RowResult = { readonly ok: true; readonly row: ImportRow } | { readonly ok: false; readonly rejected: RejectedRow };

export interface RowContext {
  readonly country: string;
  readonly timeZone: string;
  readonly topics: TopicResolver;
  /** Topics every row gets (`--topics`), already resolved. */
  readonly extraTopics: readonly TopicId[];
  /** Keep each row's cells, to write rejected rows out (`--errors FILE`). */
  readonly keepCells: boolean;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const TRUE = new Set(['true', '1', 'yes', 'si', 'sì', 'x']);
const FALSE = new Set(['', 'false', '0', 'no']);
/** Past this many distinct cells a topics column is not worth remembering: its cells are resolved each time. */
const MAX_TOPIC_CELLS = 50_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The fields only an export of canale (or a file made like one) has: most files have none of their columns. */
const EXPORT_FIELDS = [
  'id', 'status', 'optedOutTopics', 'whatsappUnreachable', 'emailBounced', 'consentSource', 'consentNote', 'consentAt', 'createdAt', 'updatedAt',
] as const satisfies readonly ImportField[];
type ExportFields = Mutable<Pick<ImportRow, (typeof EXPORT_FIELDS)[number]>>;
const NO_TOPICS: readonly TopicId[] = [];

/**
 * Turns the cells of one record into a checked row, or names every problem of it. Built once per file and
 * called for every row, so it avoids per-row garbage: the row being read is kept in fields, identical topic
 * lists share one array, a topics cell seen before is not resolved again, and identical attributes share one object.
 */
export class RowReader {
  private readonly width: number;
  private readonly topicLists = new Map<string, readonly TopicId[]>();
  private readonly topicCells: Partial<Record<ImportField, Map<string, TopicId[]>>> = {};
  private readonly attributeSets: AttributeSets;
  private readonly hasExportColumns: boolean;
  private readonly draftContext: Parameters<typeof checkSubscriberDraft>[1];
  /** What is told about the file as a whole: unreadable date columns, warnings of imported rows. */
  readonly notes = new ImportNotes();
  /** The consent date column, read in the order (day or month first) it shows. */
  readonly consentDates: DateColumn;
  private cells: readonly string[] = [];
  private line = 0;
  /** The problems of the row being read; undefined while there are none (most rows), so no array is made. */
  private errors: RowError[] | undefined;

  constructor(
    private readonly mapping: ColumnMapping,
    private readonly context: RowContext,
  ) {
    this.width = mapping.columns.length;
    this.hasExportColumns = EXPORT_FIELDS.some((field) => mapping.fields[field] !== undefined);
    this.draftContext = { country: context.country, topics: [] };
    this.consentDates = new DateColumn(context.timeZone);
    this.attributeSets = new AttributeSets(
      mapping.attributes.flatMap((c): AttributeColumn[] => (c.role.kind === 'attribute' ? [{ index: c.index, key: c.role.key }] : [])),
    );
  }

  read(cells: readonly string[], line: number): RowResult {
    this.cells = cells;
    this.line = line;
    this.errors = undefined;
    this.checkWidth();
    const name = this.text('name');
    const surname = this.text('surname');
    const draft = {
      // joined into one flat string (a template literal would keep a two-part string, a million times)
      name: surname === '' ? name : name === '' ? surname : [name, surname].join(' '),
      phone: this.text('phone'),
      whatsappUserId: this.text('whatsappUserId'),
      email: this.text('email'),
      topics: NO_TOPICS,
      channel: this.text('channel'),
    };
    const checked = checkSubscriberDraft(draft, this.draftContext);
    if (!checked.ok) {
      for (const p of checked.problems) this.fail(this.fieldOf(p.field, p.value), p.value, p.reason);
    }
    const topics = this.topicList('topics', this.context.extraTopics);
    // most files have none of the columns an export adds (id, status, dates, flags…): they are then skipped at once
    const optedOut = this.hasExportColumns ? this.topicList('optedOutTopics', NO_TOPICS) : NO_TOPICS;
    if (this.mapping.fields.consent !== undefined) {
      const answer = readConsentAnswer(this.text('consent'));
      if (!answer.given) this.fail('consent', this.text('consent'), answer.reason);
    }
    const exported = this.hasExportColumns ? this.exportFields(optedOut) : undefined;
    const errors = this.errors as RowError[] | undefined;
    if (errors !== undefined || !checked.ok) {
      const rejected: Mutable<RejectedRow> = { line, errors: errors ?? [] };
      if (this.context.keepCells) rejected.cells = cells;
      return { ok: false, rejected };
    }
    const value = checked.value;
    // The usual fields are all in the literal, even when undefined, so V8 keeps them inside the object (a million
    // rows are held at once). Where the file already holds the normal form, its own flat string is kept rather than
    // the one built from parts.
    const row: Mutable<ImportRow> = {
      line,
      name: value.name === draft.name ? draft.name : value.name,
      phone: value.phone === draft.phone ? (draft.phone as E164) : value.phone,
      whatsappUserId: value.whatsappUserId,
      email: value.email === draft.email ? (draft.email as Email) : value.email,
      topics,
      channel: value.channel,
      attributes: this.attributeSets.of(cells),
    };
    if (exported !== undefined) Object.assign(row, exported);
    if (this.context.keepCells) row.cells = cells;
    if (row.channel === 'whatsapp' && row.phone !== undefined && isLandline(row.phone, this.context.country)) {
      this.notes.warn({ line, column: this.column('phone')?.header ?? null, value: draft.phone, reason: LANDLINE_WARNING });
    }
    return { ok: true, row };
  }

  /** The fields an export adds, those the row has; their problems are noted like the others'. */
  private exportFields(optedOut: readonly TopicId[]): ExportFields {
    const fields: ExportFields = {};
    const consentAt = this.date('consentAt');
    const createdAt = this.date('createdAt');
    const updatedAt = this.date('updatedAt');
    const status = this.status();
    const whatsappUnreachable = this.flag('whatsappUnreachable');
    const emailBounced = this.flag('emailBounced');
    const id = this.text('id');
    if (id !== '' && !ID.test(id)) this.fail('id', id, 'an id has 1 to 64 letters, digits, _ and -');
    if (id !== '') fields.id = id;
    if (status !== undefined) fields.status = status;
    if (optedOut.length > 0) fields.optedOutTopics = optedOut;
    if (whatsappUnreachable) fields.whatsappUnreachable = true;
    if (emailBounced) fields.emailBounced = true;
    const consentSource = this.text('consentSource');
    const consentNote = this.text('consentNote');
    if (consentSource !== '') fields.consentSource = consentSource;
    if (consentNote !== '') fields.consentNote = consentNote;
    if (consentAt !== undefined) fields.consentAt = consentAt;
    if (createdAt !== undefined) fields.createdAt = createdAt;
    if (updatedAt !== undefined) fields.updatedAt = updatedAt;
    return fields;
  }

  private column(field: ImportField): MappedColumn | undefined {
    return this.mapping.fields[field];
  }

  private text(field: ImportField): string {
    const column = this.mapping.fields[field];
    return column === undefined ? '' : (this.cells[column.index] ?? '').trim();
  }

  private fail(field: ImportField, value: string, reason: string): void {
    (this.errors ??= []).push({ line: this.line, column: this.column(field)?.header ?? null, value, reason });
  }

  /** Cells past the header's last column are a problem only when they hold something (Excel pads rows with `;;`). */
  private checkWidth(): void {
    const cells = this.cells;
    if (cells.length <= this.width) return;
    const extra = cells.slice(this.width).filter((c) => c.trim() !== '');
    if (extra.length === 0) return;
    (this.errors ??= []).push({
      line: this.line,
      column: null,
      value: extra.join(' | '),
      reason: `${cells.length} cells but the header has ${this.width} columns — a value that contains the delimiter must be in quotes`,
    });
  }

  /** The column a subscriber-input problem belongs to; "no contact" points at the phone column, else the e-mail one. */
  private fieldOf(field: InputField, value: string): ImportField {
    if (field === 'name') return this.column('name') === undefined ? 'surname' : 'name';
    if (field === 'phone' && value === '' && this.column('phone') === undefined) return 'email';
    return field;
  }

  /**
   * The topics a cell names (`a|b`, `a, b`, `a; b`), plus `extra` (the same for every row of a field); one shared
   * array per distinct list, and a cell seen before without problems is not split and resolved again.
   */
  private topicList(field: ImportField, extra: readonly TopicId[]): TopicId[] {
    const text = this.text(field);
    const known = (this.topicCells[field] ??= new Map());
    const seen = known.get(text);
    if (seen !== undefined) return seen;
    const problems = this.errors?.length ?? 0;
    const ids: TopicId[] = [];
    for (const name of splitTopicList(text)) {
      const resolved = this.context.topics.resolve(name);
      if (!resolved.ok) this.fail(field, name, resolved.reason);
      else if (!ids.includes(resolved.id)) ids.push(resolved.id);
    }
    for (const id of extra) if (!ids.includes(id)) ids.push(id);
    const key = ids.join('|');
    const shared = (this.topicLists.get(key) ?? ids) as TopicId[];
    if (shared === ids) this.topicLists.set(key, ids);
    if ((this.errors?.length ?? 0) === problems && known.size < MAX_TOPIC_CELLS) known.set(text, shared);
    return shared;
  }

  private date(field: ImportField): string | undefined {
    const value = this.text(field);
    if (value === '') return undefined;
    const at = field === 'consentAt' ? this.consentDates.read(value, this.line) : parseDateCell(value, this.context.timeZone);
    if (at !== undefined) return at;
    const column = this.column(field) as MappedColumn;
    // a form's own timestamp is only a guess at the consent date: the row is imported, given the import's time
    const imported = field === 'consentAt' && column.weak === true;
    this.notes.unreadableDate(column.header, value, this.line, imported);
    if (!imported) this.fail(field, value, DATE_HINT);
    return undefined;
  }

  private status(): SubscriberStatus | undefined {
    const value = this.text('status');
    const key = value.toLowerCase();
    if (key === '') return undefined;
    if (key === 'active' || key === 'attivo' || key === 'iscritto') return 'active';
    if (key === 'unsubscribed' || key === 'disiscritto' || key === 'cancellato') return 'unsubscribed';
    this.fail('status', value, 'the status is active or unsubscribed');
    return undefined;
  }

  private flag(field: ImportField): boolean {
    const value = this.text(field);
    const key = value.toLowerCase();
    if (TRUE.has(key)) return true;
    if (!FALSE.has(key)) this.fail(field, value, 'write true or leave it empty');
    return false;
  }
}
