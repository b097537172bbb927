import { describe, expect, it } from 'vitest';
import { mapColumns, type Spelling } from '../../src/core/import/column-mapping.js';
import type { ImportField } from '../../src/core/import/field.js';
import { RowReader, type RowResult } from '../../src/core/import/row.js';
import { DEFAULT_TOPICS, type TopicId } from '../../src/core/topic.js';
import { TopicResolver } from '../../src/core/topic-resolver.js';

const FIELDS: Record<string, ImportField> = {
  nome: 'name',
  cognome: 'surname',
  telefono: 'phone',
  email: 'email',
  argomenti: 'topics',
  canale: 'channel',
  consenso: 'consent',
  'data consenso': 'consentAt',
  stato: 'status',
  id: 'id',
};
const spell = (h: string): Spelling | undefined => (FIELDS[h] === undefined ? undefined : { kind: 'field', field: FIELDS[h] });

function reader(header: string[], options: { extraTopics?: string[]; create?: boolean; keepCells?: boolean } = {}) {
  const topics = new TopicResolver(DEFAULT_TOPICS, options.create ?? false);
  const mapping = mapColumns(header, spell, []);
  const extra = (options.extraTopics ?? []).map((t) => t as TopicId);
  return { topics, read: new RowReader(mapping, { country: 'IT', timeZone: 'Europe/Rome', topics, extraTopics: extra, keepCells: options.keepCells ?? false }) };
}

const HEADER = ['nome', 'cognome', 'telefono', 'email', 'argomenti', 'canale', 'consenso', 'data consenso', 'municipio'];

function readRow(cells: string[], header = HEADER): RowResult {
  return reader(header).read.read(cells, 7);
}

describe('a row becomes a checked citizen', () => {
  it('normalises every field and keeps other columns as attributes', () => {
    const result = readRow(['  Maria ', 'Rossi', '333 123 4567', 'M.Rossi@Example.IT', 'Cantieri | raccolta differenziata', '', 'sì', '28/11/2026', 'I']);
    expect(result).toEqual({
      ok: true,
      row: {
        line: 7,
        name: 'Maria Rossi',
        phone: '+393331234567',
        email: 'M.Rossi@example.it',
        topics: ['cantieri', 'raccolta-differenziata'],
        channel: 'whatsapp',
        attributes: { municipio: 'I' },
        consentAt: '2026-11-27T23:00:00.000Z',
      },
    });
  });

  it.each([
    [['', '', '', 'luca@example.it', 'scuola', '', 'yes', '', ''], { channel: 'email', email: 'luca@example.it' }],
    [['Anna', '', '0039 347 000 1111', 'anna@example.it', '', 'e-mail', '1', '', ''], { channel: 'email', phone: '+393470001111' }],
    [['', 'Verdi', '+39 (347) 000-1111', '', 'Mobilità; eventi', 'WhatsApp', 'x', '', ''], { name: 'Verdi', topics: ['mobilita', 'eventi'] }],
    [['Zoë', 'Müller', '3470001111', '', 'emergenze', '', 'Acconsento al trattamento', '2026-03-01T10:00:00Z', 'Municipio VIII'], { name: 'Zoë Müller', consentAt: '2026-03-01T10:00:00Z' }],
  ])('%j', (cells, expected) => {
    const result = readRow(cells);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.row).toMatchObject(expected);
  });

  it.each([
    [['Maria', '', '12345', '', 'scuola', '', 'sì', '', ''], [['telefono', '12345', 'not a valid phone number (default country IT)']]],
    [['Maria', '', '', 'maria@', 'scuola', '', 'sì', '', ''], [['email', 'maria@', 'not a valid e-mail address']]],
    [['Maria', '', '', '', 'scuola', '', 'sì', '', ''], [['telefono', '', 'a subscriber needs a phone number or an e-mail address']]],
    [['Maria', '', '', 'm@example.it', 'Sport', '', 'sì', '', ''], [['argomenti', 'Sport', expect.stringMatching(/^unknown topic \(known: scuola, cantieri/)]]],
    [['Maria', '', '', 'm@example.it', 'scuola', 'whatsapp', 'sì', '', ''], [['canale', 'whatsapp', 'WhatsApp needs a phone number']]],
    [['Maria', '', '333 123 4567', '', 'scuola', 'fax', 'sì', '', ''], [['canale', 'fax', 'the channel is whatsapp or email']]],
    [['Maria', '', '333 123 4567', '', 'scuola', '', 'no', '', ''], [['consenso', 'no', 'the citizen did not give consent']]],
    [['Maria', '', '333 123 4567', '', 'scuola', '', '', '', ''], [['consenso', '', expect.stringMatching(/consent cell is empty/)]]],
    [['Maria', '', '333 123 4567', '', 'scuola', '', 'sì', 'ieri', ''], [['data consenso', 'ieri', expect.stringMatching(/^not a date/)]]],
    [['M\u0007', '', '333 123 4567', '', 'scuola', '', 'sì', '', ''], [['nome', 'M\u0007', expect.stringMatching(/control characters/)]]],
    [
      ['Maria', '', '1', 'x@', 'Sport|Yoga', 'fax', 'no', 'ieri', ''],
      [
        ['telefono', '1', expect.any(String)],
        ['email', 'x@', expect.any(String)],
        ['canale', 'fax', expect.any(String)],
        ['argomenti', 'Sport', expect.any(String)],
        ['argomenti', 'Yoga', expect.any(String)],
        ['consenso', 'no', expect.any(String)],
        ['data consenso', 'ieri', expect.any(String)],
      ],
    ],
  ])('%j is rejected, naming column, value and reason', (cells, problems) => {
    expect(readRow(cells)).toEqual({
      ok: false,
      rejected: { line: 7, errors: problems.map(([column, value, reason]) => ({ line: 7, column, value, reason })) },
    });
  });

  it('points "no contact" at the e-mail column when the file has no phone column', () => {
    expect(readRow(['Maria', ''], ['nome', 'email'])).toEqual({
      ok: false,
      rejected: { line: 7, errors: [{ line: 7, column: 'email', value: '', reason: 'a subscriber needs a phone number or an e-mail address' }] },
    });
  });

  it('accepts cells past the header only when they are empty, and names them otherwise', () => {
    expect(readRow(['Maria', 'm@example.it', '', '', ''], ['nome', 'email']).ok).toBe(true);
    expect(readRow(['Maria', 'm@example.it', '', 'Roma', 'x'], ['nome', 'email'])).toMatchObject({
      ok: false,
      rejected: { errors: [{ column: null, value: 'Roma | x', reason: '5 cells but the header has 2 columns — a value that contains the delimiter must be in quotes' }] },
    });
  });

  it('accepts rows with fewer cells than the header', () => {
    expect(readRow(['Maria', 'm@example.it'], ['nome', 'email', 'municipio'])).toMatchObject({ ok: true, row: { attributes: {} } });
  });

  it('adds --topics to every row, and creates unknown topics with --create-topics', () => {
    const { topics, read } = reader(['email', 'argomenti'], { extraTopics: ['eventi'], create: true });
    const result = read.read(['m@example.it', 'Verde pubblico, cantieri'], 2);
    expect(result).toMatchObject({ ok: true, row: { topics: ['verde-pubblico', 'cantieri', 'eventi'] } });
    expect(topics.created).toEqual([{ id: 'verde-pubblico', label: 'Verde pubblico' }]);
    expect(read.read(['x@example.it', '!!!'], 3)).toMatchObject({ ok: false, rejected: { errors: [{ value: '!!!', reason: expect.stringMatching(/cannot be a topic/) }] } });
  });

  it('keeps the cells of rejected rows only when asked (for --errors FILE)', () => {
    const cells = ['Maria', 'nope'];
    expect(reader(['nome', 'email']).read.read(cells, 2)).toMatchObject({ ok: false, rejected: expect.not.objectContaining({ cells }) });
    expect(reader(['nome', 'email'], { keepCells: true }).read.read(cells, 2)).toMatchObject({ ok: false, rejected: { cells } });
  });

  it('reads the status and id of an export', () => {
    const result = readRow(['sub_abc', 'm@example.it', 'unsubscribed'], ['id', 'email', 'stato']);
    expect(result).toMatchObject({ ok: true, row: { id: 'sub_abc', status: 'unsubscribed' } });
    expect(readRow(['sub abc', 'm@example.it', 'boh'], ['id', 'email', 'stato'])).toMatchObject({
      ok: false,
      rejected: { errors: [{ column: 'stato', reason: 'the status is active or unsubscribed' }, { column: 'id', value: 'sub abc' }] },
    });
  });
});

describe('dates a row reader cannot read, and landlines', () => {
  const weakSpell = (h: string): Spelling | undefined =>
    h === 'timestamp' ? { kind: 'field', field: 'consentAt', weak: true } : spell(h);

  it('a form timestamp: the row is imported without a consent date, and the column is told once as a warning', () => {
    const r = new RowReader(mapColumns(['timestamp', 'telefono'], weakSpell, []), { country: 'IT', timeZone: 'Europe/Rome', topics: new TopicResolver(DEFAULT_TOPICS, false), extraTopics: [], keepCells: false });
    const results = [r.read(['ieri sera', '333 123 4567'], 2), r.read(['stamattina', '333 123 4568'], 3), r.read(['2026/11/20 9:14:03 AM CET', '333 123 4569'], 4)];
    expect(results.map((x) => (x.ok ? x.row.consentAt : 'rejected'))).toEqual([undefined, undefined, '2026-11-20T08:14:03.000Z']);
    expect(r.notes.columnProblems()).toEqual([]);
    expect(r.notes.warnings()).toEqual([{ line: null, column: 'timestamp', value: 'ieri sera', reason: expect.stringMatching(/^2 row\(s\), from line 2, have a form timestamp canale cannot read, so they were given the time of the import/) }]);
  });

  it('a consent date column: each row is invalid, and the column is told once as a problem', () => {
    const { read: r } = reader(['telefono', 'data consenso']);
    expect(r.read(['333 123 4567', '1 novembre'], 2).ok).toBe(false);
    expect(r.read(['333 123 4568', '2 novembre'], 3).ok).toBe(false);
    // one or two are typos, shown with their lines among the row errors; from three on, a way of writing dates
    expect(r.notes.columnProblems()).toEqual([]);
    expect(r.read(['333 123 4569', '3 novembre'], 4).ok).toBe(false);
    expect(r.notes.warnings()).toEqual([]);
    expect(r.notes.columnProblems()).toEqual([{ column: 'data consenso', value: '1 novembre', rows: 3, reason: expect.stringMatching(/^3 rows, from line 2, have a date canale cannot read — .*--map "data consenso=ignore"/) }]);
  });

  it('a landline for WhatsApp is a warning, not a rejection; for e-mail nothing is said', () => {
    const { read: r } = reader(['telefono', 'email', 'canale']);
    expect(r.read(['06 1234 5678', '', ''], 2).ok).toBe(true);
    expect(r.read(['06 1234 5679', 'a@example.it', 'email'], 3).ok).toBe(true);
    expect(r.read(['333 123 4567', '', 'whatsapp'], 4).ok).toBe(true);
    expect(r.notes.warnings()).toEqual([{ line: 2, column: 'telefono', value: '06 1234 5678', reason: expect.stringMatching(/^a landline \(fixed-line\) number/) }]);
  });
});
