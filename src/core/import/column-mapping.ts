import { attributeKey } from '../attributes.js';
import { cutValue } from '../cut-value.js';
import { CanaleError, usageError } from '../errors.js';
import { fieldName, type ColumnRole, type ImportField, type MapOverride } from './field.js';

/** What a header's spelling says about its column; `weak` fields (a form's timestamp) yield to a strong one. */
export type Spelling = { readonly kind: 'field'; readonly field: ImportField; readonly weak?: boolean } | { readonly kind: 'ignored' };

/** One column of the file, the header as written, and what the import does with it. */
export interface MappedColumn {
  readonly index: number;
  readonly header: string;
  readonly role: ColumnRole;
  /** Only guessed from a weak spelling (a form's timestamp), not a column the admin mapped or named for its field. */
  readonly weak?: true;
}

/** The decision for every column: which holds which field, which become attributes, which are ignored. */
export interface ColumnMapping {
  readonly columns: readonly MappedColumn[];
  readonly fields: Readonly<Partial<Record<ImportField, MappedColumn>>>;
  readonly attributes: readonly MappedColumn[];
}

/** `  N. di Telefono ` → `n di telefono`: headers compared ignoring case, accents, spacing and punctuation. */
export function headerKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** How the mapping is shown to people: `phone`, `attribute municipio`, `ignored`. */
export function describeRole(role: ColumnRole): string {
  switch (role.kind) {
    case 'field':
      return role.field === 'surname' ? 'name (surname, joined after the name)' : fieldName(role.field);
    case 'attribute':
      return `attribute ${role.key}`;
    case 'ignored':
      return 'ignored';
    default: {
      const unreachable: never = role;
      return unreachable;
    }
  }
}

/**
 * Decides what each column holds. `--map` overrides come first; then each header's spelling, the first column
 * for a field winning; weak spellings only take a field no other column has. Every other named column becomes
 * an attribute (a second column for a taken field too, so nothing is dropped); columns without a header are
 * ignored. A file with neither a phone nor an e-mail column cannot be imported: that is an error naming its columns.
 */
export function mapColumns(
  header: readonly string[],
  spell: (header: string) => Spelling | undefined,
  overrides: readonly MapOverride[],
): ColumnMapping {
  const roles: Array<ColumnRole | undefined> = header.map(() => undefined);
  const taken = new Set<ImportField>();
  const keys = header.map(headerKey);
  for (const override of overrides) {
    const index = keys.indexOf(headerKey(override.column));
    if (index < 0) {
      throw usageError('MAP_COLUMN_UNKNOWN', `${override.flag}: the file has no column "${override.column}" — its columns are: ${listed(header)}`);
    }
    if (override.role.kind === 'field') {
      if (taken.has(override.role.field)) {
        throw usageError('MAP_FIELD_TWICE', `${override.flag}: another --map already gives ${fieldName(override.role.field)} a column`);
      }
      taken.add(override.role.field);
    }
    roles[index] = override.role;
  }
  const weak: number[] = [];
  const guessed = new Set<number>();
  header.forEach((text, index) => {
    if (roles[index] !== undefined) return;
    if (text === '') {
      roles[index] = { kind: 'ignored' };
      return;
    }
    const spelling = spell(text);
    if (spelling?.kind === 'ignored') roles[index] = spelling;
    else if (spelling?.weak === true) weak.push(index);
    else if (spelling !== undefined && !taken.has(spelling.field)) {
      taken.add(spelling.field);
      roles[index] = spelling;
    }
  });
  for (const index of weak) {
    const spelling = spell(header[index] ?? '');
    if (spelling?.kind === 'field' && !taken.has(spelling.field)) {
      taken.add(spelling.field);
      roles[index] = { kind: 'field', field: spelling.field };
      guessed.add(index);
    }
  }
  // the attribute keys taken so far, kept as they are decided (a set built anew for each column was quadratic)
  const used = new Set(roles.flatMap((r) => (r?.kind === 'attribute' ? [r.key] : [])));
  header.forEach((text, index) => {
    if (roles[index] !== undefined) return;
    const role = attributeRole(text, index, used);
    used.add(role.key);
    roles[index] = role;
  });
  const columns = header.map((text, index): MappedColumn => {
    const column: MappedColumn = { index, header: text, role: roles[index] ?? { kind: 'ignored' } };
    return guessed.has(index) ? { ...column, weak: true } : column;
  });
  const fields: Partial<Record<ImportField, MappedColumn>> = {};
  for (const column of columns) if (column.role.kind === 'field') fields[column.role.field] = column;
  if (fields.phone === undefined && fields.email === undefined) {
    throw new CanaleError(
      'IMPORT_NO_CONTACT_COLUMN',
      `no column holds a phone number or an e-mail address (the columns are: ${listed(header)}) — say which with --map "COLUMN=phone" or --map "COLUMN=email"`,
    );
  }
  return { columns, fields, attributes: columns.filter((c) => c.role.kind === 'attribute') };
}

/** An attribute named after the header, made unique among the attribute keys decided so far (`used`). */
function attributeRole(text: string, index: number, used: ReadonlySet<string>): ColumnRole & { readonly kind: 'attribute' } {
  const key = attributeKey(text) || `column_${index + 1}`;
  return { kind: 'attribute', key: used.has(key) ? `${key}_${index + 1}` : key };
}

/** How many of a file's columns an error lists, each cut to a readable length: a wide file's error stays readable. */
const LISTED_COLUMNS = 30;

function listed(header: readonly string[]): string {
  const shown = header.slice(0, LISTED_COLUMNS).map((h) => (h === '' ? '(empty)' : `"${cutValue(h, 40)}"`));
  return header.length > LISTED_COLUMNS ? `${shown.join(', ')} and ${header.length - LISTED_COLUMNS} more` : shown.join(', ');
}
