import { cutValue } from '../../core/cut-value.js';
import type { RejectedRow } from '../../core/import/row.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { csvText } from './csv-text.js';
import { ERROR_COLUMN } from './header-spellings.js';

/** `Telefono "333": not a valid phone number; …` — every problem of a row in one cell (the cells beside it are whole). */
function reasonOf(row: RejectedRow): string {
  return row.errors.map((e) => (e.column === null && e.value === '' ? e.reason : `${e.column === null ? '' : `${e.column} `}"${cutValue(e.value)}": ${e.reason}`)).join('; ');
}

/**
 * Writes rejected rows as a CSV that opens in Excel and imports again once fixed: the file's own header and
 * delimiter, each row's original cells, and an `import_error` column saying what is wrong (which a new import
 * ignores). UTF-8 with a byte-order mark, so Excel reads accents right; mode 0600, as it holds personal data.
 * Every cell is written safe for a spreadsheet (`csvText`), which the import reads back as it was.
 */
export async function writeRejectedRows(path: string, header: readonly string[], rows: readonly RejectedRow[], delimiter: string): Promise<void> {
  // rows with cells past the header get unnamed columns, so the reason stays in one column for every row
  const width = rows.reduce((most, r) => Math.max(most, r.cells?.length ?? 0), header.length);
  const pad = (cells: readonly string[]): string[] => [...cells, ...Array<string>(width - cells.length).fill('')];
  const records = rows.map((row) => [...pad(row.cells ?? []), reasonOf(row)]);
  const text = csvText([[...pad(header), ERROR_COLUMN], ...records], delimiter);
  await writeFileAtomic(path, `\uFEFF${text}`);
}
