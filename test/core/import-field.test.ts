import { describe, expect, it } from 'vitest';
import { parseMapFlag } from '../../src/core/import/field.js';

describe('--map COL=FIELD', () => {
  it.each([
    ['Cellulare=phone', 'Cellulare', { kind: 'field', field: 'phone' }],
    ['Cell. ufficio = telefono', 'Cell. ufficio', { kind: 'field', field: 'phone' }],
    ['Data=consent-at', 'Data', { kind: 'field', field: 'consentAt' }],
    ['Data=consent_at', 'Data', { kind: 'field', field: 'consentAt' }],
    ['Data firma=data consenso', 'Data firma', { kind: 'field', field: 'consentAt' }],
    ['Cognome=surname', 'Cognome', { kind: 'field', field: 'surname' }],
    ['Stato=STATUS', 'Stato', { kind: 'field', field: 'status' }],
    ['Zona=attr:quartiere', 'Zona', { kind: 'attribute', key: 'quartiere' }],
    ['Zona=attr:Zona di Residenza', 'Zona', { kind: 'attribute', key: 'zona_di_residenza' }],
    ['Note interne=ignore', 'Note interne', { kind: 'ignored' }],
    ['a=b=email', 'a=b', { kind: 'field', field: 'email' }],
  ])('%s', (text, column, role) => {
    expect(parseMapFlag(text)).toEqual({ column, role, flag: `--map "${text}"` });
  });

  it.each([
    ['Cellulare', 'MAP_INVALID', /--map "Cellulare" is not COLUMN=FIELD/],
    ['=phone', 'MAP_INVALID', /is not COLUMN=FIELD/],
    ['Cellulare=', 'MAP_INVALID', /is not COLUMN=FIELD/],
    ['Cellulare=fax', 'MAP_FIELD_UNKNOWN', /--map "Cellulare=fax": "fax" is not a field — use one of: id, name, surname, phone/],
    ['Zona=attr:', 'MAP_INVALID', /say which attribute/],
  ])('refuses %s with a usage error naming the flag', (text, code, message) => {
    expect(() => parseMapFlag(text)).toThrow(message);
    expect(() => parseMapFlag(text)).toThrow(expect.objectContaining({ code, exit: 'usage' }));
  });
});
