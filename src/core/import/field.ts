import { attributeKey } from '../attributes.js';
import { usageError } from '../errors.js';

/** What a column of an imported file can hold. `surname` is joined after `name`; the others are subscriber fields. */
export const IMPORT_FIELDS = [
  'id',
  'name',
  'surname',
  'phone',
  'whatsappUserId',
  'email',
  'topics',
  'channel',
  'consent',
  'consentAt',
  'consentSource',
  'consentNote',
  'status',
  'optedOutTopics',
  'whatsappUnreachable',
  'emailBounced',
  'createdAt',
  'updatedAt',
] as const;

export type ImportField = (typeof IMPORT_FIELDS)[number];

/** What the import does with one column. */
export type ColumnRole =
  | { readonly kind: 'field'; readonly field: ImportField }
  | { readonly kind: 'attribute'; readonly key: string }
  | { readonly kind: 'ignored' };

/** A `--map COL=FIELD` given on the command line. */
export interface MapOverride {
  readonly column: string;
  readonly role: ColumnRole;
  readonly flag: string;
}

/** `consentAt` → `consent_at`: how fields are named to people, in `--map` and in the mapping a dry run shows. */
export function fieldName(field: ImportField): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const FIELD_BY_NAME: ReadonlyMap<string, ImportField> = new Map([
  ...IMPORT_FIELDS.map((f) => [fieldName(f), f] as const),
  ['nome', 'name'],
  ['cognome', 'surname'],
  ['telefono', 'phone'],
  ['e_mail', 'email'],
  ['argomenti', 'topics'],
  ['canale', 'channel'],
  ['consenso', 'consent'],
  ['consent_date', 'consentAt'],
  ['data_consenso', 'consentAt'],
  ['stato', 'status'],
]);

const MAP_FIELDS = `${IMPORT_FIELDS.map(fieldName).join(', ')}, ignore, attr:KEY`;

/**
 * Reads `--map "Colonna=field"`. FIELD is a field name (English or Italian, `consent_at` or `consent-at`),
 * `ignore`, or `attr:KEY` to keep the column as the attribute KEY. Anything else is a usage error naming the flag.
 */
export function parseMapFlag(text: string): MapOverride {
  const flag = `--map "${text}"`;
  const eq = text.lastIndexOf('=');
  const column = eq < 0 ? '' : text.slice(0, eq).trim();
  const target = eq < 0 ? '' : text.slice(eq + 1).trim();
  if (column === '' || target === '') {
    throw usageError('MAP_INVALID', `${flag} is not COLUMN=FIELD — for example --map "Cellulare=phone" (fields: ${MAP_FIELDS})`);
  }
  const attribute = /^(?:attr|attribute|attributo):(.*)$/i.exec(target);
  if (attribute !== null) {
    const key = attributeKey(attribute[1] ?? '');
    if (key === '') throw usageError('MAP_INVALID', `${flag}: say which attribute, for example --map "Zona=attr:quartiere"`);
    return { column, role: { kind: 'attribute', key }, flag };
  }
  const name = target.toLowerCase().replace(/[\s-]+/g, '_');
  if (name === 'ignore' || name === 'skip') return { column, role: { kind: 'ignored' }, flag };
  const field = FIELD_BY_NAME.get(name);
  if (field === undefined) throw usageError('MAP_FIELD_UNKNOWN', `${flag}: "${target}" is not a field — use one of: ${MAP_FIELDS}`);
  return { column, role: { kind: 'field', field }, flag };
}
