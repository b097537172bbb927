import { describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../src/adapters/csv/subscriber-csv.js';
import { spellingFor } from '../../src/adapters/csv/header-spellings.js';
import { describeRole, mapColumns } from '../../src/core/import/column-mapping.js';
import { parseMapFlag } from '../../src/core/import/field.js';

function mapped(header: string[], maps: string[] = []): string[] {
  return mapColumns(header, spellingFor(header), maps.map(parseMapFlag)).columns.map((c) => `${c.header} → ${describeRole(c.role)}`);
}

describe('headers map themselves', () => {
  it.each([
    ['Nome', 'name'],
    ['NAME', 'name'],
    ['Nome e cognome', 'name'],
    ['Cognome', 'name (surname, joined after the name)'],
    ['surname', 'name (surname, joined after the name)'],
    ['Telefono', 'phone'],
    ['CELLULARE', 'phone'],
    ['Cell.', 'phone'],
    ['mobile', 'phone'],
    ['Phone', 'phone'],
    ['WhatsApp', 'phone'],
    ['Numero di cellulare (WhatsApp)', 'phone'],
    ['email', 'email'],
    ['E-Mail', 'email'],
    [' e mail ', 'email'],
    ['Posta elettronica', 'email'],
    ['Indirizzo email', 'email'],
    ['argomenti', 'topics'],
    ['Temi', 'topics'],
    ['Topics', 'topics'],
    ['Argomenti di interesse', 'topics'],
    ['Canale', 'channel'],
    ['channel', 'channel'],
    ['Canale preferito', 'channel'],
    ['Consenso', 'consent'],
    ['consent', 'consent'],
    ['Acconsento al trattamento dei dati personali', 'consent'],
    ['Data consenso', 'consent_at'],
    ['Consent date', 'consent_at'],
    ['Data del consenso privacy', 'consent_at'],
    ['Informazioni cronologiche', 'consent_at'],
    ['Timestamp', 'consent_at'],
    ['Stato', 'status'],
    ['Municipio', 'attribute municipio'],
    ['Quartiere', 'attribute quartiere'],
    ['CAP', 'attribute cap'],
    ['Lingua', 'attribute lingua'],
    ['Data di nascita', 'attribute data_di_nascita'],
    ['Città', 'attribute citta'],
    ['import_error', 'ignored'],
    ['', 'ignored'],
  ])('%j → %s', (header, role) => {
    expect(mapped([header, 'telefono'])[0]).toBe(`${header} → ${role}`);
  });

  it('gives a field to its first column; a second one becomes an attribute', () => {
    expect(mapped(['Telefono', 'Cellulare', 'Email', 'E-mail'])).toEqual([
      'Telefono → phone',
      'Cellulare → attribute cellulare',
      'Email → email',
      'E-mail → attribute e_mail',
    ]);
  });

  it('uses a form timestamp as the consent date only when no column gives one', () => {
    expect(mapped(['Timestamp', 'Email', 'Data consenso'])).toEqual(['Timestamp → attribute timestamp', 'Email → email', 'Data consenso → consent_at']);
  });

  it('lets --map override, ignore, and rename, matching the column name loosely', () => {
    expect(mapped(['Tel. casa', 'Cell', 'Zona', 'Note'], ['cell=phone', 'tel casa=ignore', 'ZONA=attr:quartiere', 'Note=consent_note'])).toEqual([
      'Tel. casa → ignored',
      'Cell → phone',
      'Zona → attribute quartiere',
      'Note → consent_note',
    ]);
  });

  it.each([
    [['Email'], ['Fax=phone'], /^--map "Fax=phone": the file has no column "Fax" — its columns are: "Email"$/],
    [['A', 'B'], ['A=phone', 'B=phone'], /another --map already gives phone a column/],
  ])('refuses a --map that does not fit the file (usage error)', (header, maps, message) => {
    expect(() => mapped(header, maps)).toThrow(expect.objectContaining({ exit: 'usage', message: expect.stringMatching(message) }));
  });

  it('refuses a file with no phone and no e-mail column, listing its columns', () => {
    expect(() => mapped(['Nome', 'Municipio', ''])).toThrow(
      'no column holds a phone number or an e-mail address (the columns are: "Nome", "Municipio", (empty)) — say which with --map "COLUMN=phone" or --map "COLUMN=email"',
    );
  });

  it('reads a canale export by exact names, its other columns being attributes whatever they are called', () => {
    const header = [...EXPORT_COLUMNS, 'cognome', 'telefono', 'municipio'];
    expect(mapped(header).slice(-6)).toEqual([
      'consent_note → consent_note',
      'created_at → created_at',
      'updated_at → updated_at',
      'cognome → attribute cognome',
      'telefono → attribute telefono',
      'municipio → attribute municipio',
    ]);
    expect(mapped(header).slice(0, 5)).toEqual(['id → id', 'name → name', 'phone → phone', 'whatsapp_user_id → whatsapp_user_id', 'email → email']);
  });
});
