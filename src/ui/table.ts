import Table from 'cli-table3';
import type { Ui } from './ui.js';

/**
 * Rows as a person or a script wants them: an aligned table on a terminal, tab-separated plain rows (with a
 * header line) in a pipe, so `cut -f2` and spreadsheets work. Tabs and newlines inside cells become spaces.
 */
export function printTable(ui: Ui, header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  if (!ui.io.stdout.isTTY) {
    const clean = (cell: string): string => cell.replace(/[\t\r\n]+/g, ' ');
    ui.out(header.join('\t'));
    for (const row of rows) ui.out(row.map(clean).join('\t'));
    return;
  }
  const table = new Table({
    head: header.map((h) => ui.color.bold(h)),
    style: { head: [], border: [], compact: true },
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
      'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' },
  });
  for (const row of rows) table.push([...row]);
  ui.out(table.toString().split('\n').map((line) => line.trimEnd()).join('\n'));
}
