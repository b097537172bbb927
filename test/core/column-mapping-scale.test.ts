import { describe, expect, it } from 'vitest';
import { spellingFor } from '../../src/adapters/csv/header-spellings.js';
import { mapColumns } from '../../src/core/import/column-mapping.js';
import { parseMapFlag } from '../../src/core/import/field.js';
import { cutValue } from '../../src/core/cut-value.js';

const keysOf = (header: readonly string[], maps: readonly string[] = []): string[] =>
  mapColumns(header, spellingFor(header), maps.map(parseMapFlag)).attributes.map((c) => (c.role.kind === 'attribute' ? c.role.key : ''));

describe('mapColumns at scale', () => {
  it('maps 50,000 columns in linear time (a set of the keys taken, not one rebuilt for each column)', () => {
    const header = ['telefono', ...Array.from({ length: 49_999 }, (_, i) => `c${i + 1}`)];
    const started = performance.now();
    const mapping = mapColumns(header, spellingFor(header), []);
    // quadratic, this took about 12 minutes (4,000 columns: 4.7 s); linear it is some milliseconds
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(mapping.attributes).toHaveLength(49_999);
    expect(new Set(mapping.attributes.map((c) => (c.role.kind === 'attribute' ? c.role.key : ''))).size).toBe(49_999);
  });

  it('keeps attribute keys unique as before: a repeated header, or one a --map already took, gets its column number', () => {
    expect(keysOf(['telefono', 'Zona', 'zona', 'ZONA'])).toEqual(['zona', 'zona_3', 'zona_4']);
    expect(keysOf(['telefono', 'Quartiere', 'Area'], ['Area=attr:quartiere'])).toEqual(['quartiere_2', 'quartiere']);
    expect(keysOf(['telefono', '!!!'])).toEqual(['column_2']);
  });
});

describe('cutValue', () => {
  it.each([
    ['short', 'short'],
    ['x'.repeat(80), 'x'.repeat(80)],
    ['x'.repeat(81), `${'x'.repeat(80)}…(81 characters)`],
    ['3'.repeat(10 << 20), `${'3'.repeat(80)}…(10485760 characters)`],
    // never half an emoji: the cut moves before the pair
    [`${'x'.repeat(79)}😀${'y'.repeat(10)}`, `${'x'.repeat(79)}…(91 characters)`],
  ])('shows %# readably', (value, shown) => {
    expect(cutValue(value)).toBe(shown);
  });
});

describe('the error of a file without a contact column', () => {
  it('lists the first 30 columns, each cut to a readable length, and how many more there are', () => {
    const header = [`${'Domanda '.repeat(20)}`, ...Array.from({ length: 999 }, (_, i) => `c${i + 1}`)];
    expect(() => mapColumns(header, spellingFor(header), [])).toThrow(
      new RegExp(`^no column holds a phone number or an e-mail address \\(the columns are: "${'Domanda '.repeat(5)}…\\(160 characters\\)", "c1", .*"c29" and 970 more\\) — say which`),
    );
  });
});
