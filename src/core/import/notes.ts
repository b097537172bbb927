/**
 * Something the admin should know about rows that were imported all the same: a landline given for WhatsApp, or a
 * form's timestamp that could not be read (then `line` is null: it is about the whole column).
 */
export interface ImportWarning {
  readonly line: number | null;
  readonly column: string | null;
  readonly value: string;
  readonly reason: string;
}

/** A column whose cells cannot be read, told once per file: the column, the first such value, how many rows. */
export interface ColumnProblem {
  readonly column: string;
  readonly value: string;
  readonly rows: number;
  readonly reason: string;
}

const DATE_FORMS = 'write it like 28/11/2026, 28/11/2026 10:31:05, 2026/11/28 10:31:05 AM CET or 2026-11-28T10:31:05Z';

interface Unreadable {
  readonly column: string;
  readonly value: string;
  readonly line: number;
  rows: number;
  readonly imported: boolean;
}

/** From this many rows on, a consent date column's unreadable cells are a way of writing dates, not typos. */
const COLUMN_PROBLEM_ROWS = 3;

/**
 * Collects, while rows are read, what is told about the file rather than about one row: the date columns whose
 * cells cannot be read (one note per column, with the first value and a count) and the warnings of imported rows.
 */
export class ImportNotes {
  private readonly unreadable = new Map<string, Unreadable>();
  private readonly rowWarnings: ImportWarning[] = [];

  /** A date cell that cannot be read; `imported` when the row is imported anyway (a form's timestamp). */
  unreadableDate(column: string, value: string, line: number, imported: boolean): void {
    const seen = this.unreadable.get(column);
    if (seen === undefined) this.unreadable.set(column, { column, value, line, rows: 1, imported });
    else seen.rows++;
  }

  warn(warning: ImportWarning): void {
    this.rowWarnings.push(warning);
  }

  /** The warnings: first one per form timestamp column that could not be read, then the rows' in line order. */
  warnings(): ImportWarning[] {
    const columns = [...this.unreadable.values()].filter((u) => u.imported);
    return [
      ...columns.map((u) => ({
        line: null,
        column: u.column,
        value: u.value,
        reason: `${u.rows} row(s), from line ${u.line}, have a form timestamp canale cannot read, so they were given the time of the import as their consent date — if that column is the consent date, ${DATE_FORMS}, and import again`,
      })),
      ...this.rowWarnings,
    ];
  }

  /**
   * The date columns whose unreadable cells made rows invalid, one problem per column — from a few rows on: one or
   * two are typos, best shown with their lines among the row errors.
   */
  columnProblems(): ColumnProblem[] {
    return [...this.unreadable.values()]
      .filter((u) => !u.imported && u.rows >= COLUMN_PROBLEM_ROWS)
      .map((u) => ({
        column: u.column,
        value: u.value,
        rows: u.rows,
        reason: `${u.rows} rows, from line ${u.line}, have a date canale cannot read — ${DATE_FORMS}; or --map "${u.column}=ignore" to give them the time of the import`,
      }));
  }
}

/** The reason a row gets for a date that cannot be read (its problem is also told once for the whole column). */
export const DATE_HINT = `not a date — ${DATE_FORMS}`;
