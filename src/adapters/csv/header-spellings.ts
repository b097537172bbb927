import { headerKey, type Spelling } from '../../core/import/column-mapping.js';
import type { ImportField } from '../../core/import/field.js';
import { EXPORT_COLUMNS } from './subscriber-csv.js';

/** The column `--errors FILE` adds; ignored when that file is imported again after fixing. */
export const ERROR_COLUMN = 'import_error';

/** Headers people write, Italian and English, compared by `headerKey` (case, accents, spacing, punctuation ignored). */
const EXACT: ReadonlyArray<readonly [ImportField, readonly string[]]> = [
  ['id', ['id']],
  ['name', ['nome', 'name', 'nome e cognome', 'nome cognome', 'nominativo', 'nome completo', 'full name', 'fullname', 'first name', 'given name']],
  ['surname', ['cognome', 'surname', 'last name', 'lastname', 'family name']],
  ['phone', ['telefono', 'cellulare', 'cell', 'tel', 'mobile', 'phone', 'whatsapp', 'numero di telefono', 'numero di cellulare',
    'numero telefono', 'numero cellulare', 'numero whatsapp', 'telefono cellulare', 'recapito telefonico', 'phone number',
    'mobile number', 'mobile phone', 'cell phone', 'cellphone']],
  // before the keyword "whatsapp", which means a phone column
  ['whatsappUserId', ['whatsapp user id', 'id utente whatsapp', 'bsuid']],
  ['email', ['email', 'e mail', 'mail', 'posta elettronica', 'indirizzo email', 'indirizzo e mail', 'indirizzo di posta elettronica',
    'email address', 'e mail address']],
  ['topics', ['argomenti', 'argomento', 'temi', 'tema', 'topics', 'topic', 'interessi', 'argomenti di interesse', 'categorie']],
  ['channel', ['canale', 'channel', 'canale preferito', 'preferred channel']],
  ['consent', ['consenso', 'consent', 'privacy', 'consenso privacy', 'gdpr', 'consenso gdpr', 'consenso al trattamento dei dati']],
  ['consentAt', ['data consenso', 'data del consenso', 'consent date', 'consent at', 'consented at', 'consenso data']],
  ['consentSource', ['consent source', 'fonte consenso']],
  ['consentNote', ['consent note', 'nota consenso']],
  ['status', ['status', 'stato']],
  ['optedOutTopics', ['opted out topics']],
  ['whatsappUnreachable', ['whatsapp unreachable']],
  ['emailBounced', ['email bounced']],
  ['createdAt', ['created at']],
  ['updatedAt', ['updated at']],
];

/** A form's submission time: the consent date when no column gives one. */
const TIMESTAMP = new Set(['timestamp', 'informazioni cronologiche', 'marca temporale', 'data e ora', 'submitted at', 'data invio', 'submission date']);

/** Words that name a field inside a longer header, such as a form question ("Il tuo numero di cellulare (WhatsApp)"). */
const KEYWORDS: ReadonlyArray<readonly [ImportField, RegExp]> = [
  ['consentAt', /\b(?:data|date)\b.*\b(?:consenso|consent)\b|\b(?:consenso|consent)\b.*\b(?:data|date)\b/],
  ['consent', /\b(?:consenso|consent|acconsento|privacy|gdpr|trattamento|agree)\b/],
  ['channel', /\b(?:canale|channel)\b/],
  ['email', /\b(?:email|e mail|mail|posta elettronica)\b/],
  ['phone', /\b(?:telefono|cellulare|cell|whatsapp|phone|mobile|tel)\b/],
  ['topics', /\b(?:argomenti|argomento|temi|topics|interessi)\b/],
  ['surname', /\b(?:cognome|surname)\b/],
  ['name', /\b(?:nome|name)\b/],
];

const BY_KEY: ReadonlyMap<string, ImportField> = new Map(EXACT.flatMap(([field, spellings]) => spellings.map((s) => [s, field] as const)));

/** Reads one header as people write them: an exact spelling, a form's timestamp, or a keyword in a longer header. */
function spellCommon(header: string): Spelling | undefined {
  const key = headerKey(header);
  if (key === headerKey(ERROR_COLUMN)) return { kind: 'ignored' };
  const exact = BY_KEY.get(key);
  if (exact !== undefined) return { kind: 'field', field: exact };
  if (TIMESTAMP.has(key)) return { kind: 'field', field: 'consentAt', weak: true };
  const keyword = KEYWORDS.find(([, pattern]) => pattern.test(key));
  return keyword === undefined ? undefined : { kind: 'field', field: keyword[0] };
}

/**
 * The spelling rules for a file's header. A file written by `subscribers export` (it has every export column) is
 * read by exact column names, and its other columns are attributes by name, whatever they are called — so an
 * attribute named "cognome" or "telefono" comes back as the attribute it was.
 */
export function spellingFor(header: readonly string[]): (header: string) => Spelling | undefined {
  const exported = new Set(header);
  if (!EXPORT_COLUMNS.every((c) => exported.has(c))) return spellCommon;
  const exact = new Map(EXPORT_COLUMNS.map((c) => [c, BY_KEY.get(headerKey(c))] as const));
  return (text) => {
    const field = exact.get(text as (typeof EXPORT_COLUMNS)[number]);
    if (field !== undefined) return { kind: 'field', field };
    return text === ERROR_COLUMN ? { kind: 'ignored' } : undefined;
  };
}
