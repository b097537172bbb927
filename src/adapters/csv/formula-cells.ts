/**
 * CSV cells that are safe to open in a spreadsheet (OWASP's CSV-injection rule): a cell that starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return is written with a `'` before it, so Excel or LibreOffice shows it as text
 * instead of running it as a formula (`=HYPERLINK(…)`, `+39…`, `@SUM(…)`). The import reads such a cell back:
 *
 * - written: a cell that starts with any number of `'` followed by one of those six characters gets one more `'`
 *   (`=1+1` → `'=1+1`, `+39333…` → `'+39333…`, `'=x` → `''=x`); every other cell is written as it is;
 * - read: a cell that starts with one or more `'` followed by one of those characters loses its first `'`; every
 *   other cell is read as it is (`'Ndrangheta`, `D'Angelo`, `'` and `''` stay as written).
 *
 * So reading gives back exactly what was written, for any text.
 */
const TRIGGERS = new Set([0x3d /* = */, 0x2b /* + */, 0x2d /* - */, 0x40 /* @ */, 0x09 /* tab */, 0x0d /* CR */]);
const QUOTE = 0x27;

/** Where the first character after the leading `'`s is a trigger: its index, else -1. */
function triggerAfterQuotes(cell: string): number {
  let i = 0;
  while (cell.charCodeAt(i) === QUOTE) i++;
  return TRIGGERS.has(cell.charCodeAt(i)) ? i : -1;
}

/** The cell as written to a CSV: with a `'` before it when a spreadsheet could take it for a formula. */
export function neutraliseCell(cell: string): string {
  const first = cell.charCodeAt(0);
  if (first !== QUOTE && !TRIGGERS.has(first)) return cell;
  return triggerAfterQuotes(cell) < 0 ? cell : `'${cell}`;
}

/** A row of cells as written to a CSV. */
export function neutraliseRow(cells: readonly string[]): string[] {
  return cells.map(neutraliseCell);
}

/** A cell of an imported CSV as it was before `neutraliseCell`: the `'` it added is dropped. */
export function readNeutralisedCell(cell: string): string {
  if (cell.charCodeAt(0) !== QUOTE) return cell;
  return triggerAfterQuotes(cell) > 0 ? cell.slice(1) : cell;
}

/** Reads a record's cells back in place (most cells start with no `'`, so nothing is copied). */
export function readNeutralisedCells(cells: string[]): string[] {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as string;
    if (cell.charCodeAt(0) === QUOTE) cells[i] = readNeutralisedCell(cell);
  }
  return cells;
}
