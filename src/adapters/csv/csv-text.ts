import { stringify } from 'csv-stringify/sync';
import { neutraliseRow } from './formula-cells.js';

/**
 * Rows as canale writes every CSV: RFC 4180 with CRLF, a value quoted when it holds the delimiter, a quote or any line
 * break (a lone LF or CR too, which csv-stringify leaves bare once a record delimiter is set), and every cell safe to
 * open in a spreadsheet (`neutraliseCell`).
 */
export function csvText(rows: ReadonlyArray<readonly string[]>, delimiter = ','): string {
  return stringify(
    rows.map((row) => neutraliseRow(row)),
    { delimiter, record_delimiter: '\r\n', quote_record_delimiter: true },
  );
}
