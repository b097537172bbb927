import { dateOrderOf, parseDateCell, type DateOrder } from '../date-cell.js';

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/**
 * Reads the cells of one date column in the order the column shows. A cell such as `03/02/2026` can be day or month
 * first; the column tells which as soon as one of its cells can only be one (`20/11/2026`, or `11/20/2026` from a
 * US spreadsheet). Until then such cells are read day first, as in Italy, and remembered, so that the rows read
 * before a column shows it writes month first can be put right.
 */
export class DateColumn {
  private order: DateOrder | undefined;
  /** The month-first reading of each ambiguous cell read day first before the order was known, by line. */
  private readonly pending = new Map<number, string>();

  constructor(private readonly timeZone: string) {}

  read(value: string, line: number): string | undefined {
    // a year first (ISO, Google Forms' download) says nothing about the order: two digits in a row open it
    const yearLast = !isDigit(value.charCodeAt(1)) || !isDigit(value.charCodeAt(2));
    const shown = this.order === undefined && yearLast ? dateOrderOf(value) : undefined;
    if (shown === 'day-first' || shown === 'month-first') {
      this.order = shown;
      if (shown === 'day-first') this.pending.clear();
    }
    const at = parseDateCell(value, this.timeZone, this.order ?? 'day-first');
    if (shown === 'ambiguous' && at !== undefined) {
      const other = parseDateCell(value, this.timeZone, 'month-first');
      if (other !== undefined) this.pending.set(line, other);
    }
    return at;
  }

  /** The rows to put right, by line, with their right reading: some only when the column writes month first. */
  fixes(): ReadonlyMap<number, string> {
    return this.order === 'month-first' ? this.pending : new Map();
  }
}
