import { describeRole, type ColumnMapping } from '../../core/import/column-mapping.js';
import type { ImportWarning } from '../../core/import/notes.js';
import { importReport, type ImportPlan } from '../../core/import/plan.js';
import { printTable } from '../../ui/table.js';
import type { Context } from '../context.js';

/** How many errors and blocked rows the summary lists; all of them are in --json and --errors FILE. */
const SHOWN = 20;

function shorten(text: string, max = 60): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The mapping the import chose, one row per column of the file: what a dry run shows first. */
export function printMapping(ctx: Context, mapping: ColumnMapping): void {
  printTable(
    ctx.ui,
    ['COLUMN', 'FIELD'],
    mapping.columns.map((c) => [c.header === '' ? `(no header, column ${c.index + 1})` : c.header, describeRole(c.role)]),
  );
  ctx.ui.out('');
}

/** The table of counts, then the first errors and blocked rows. */
export function printSummary(ctx: Context, plan: ImportPlan): void {
  const report = importReport(plan);
  printTable(
    ctx.ui,
    ['ROWS', 'COUNT'],
    [
      ['read', String(report.read)],
      ['new', String(report.inserted)],
      ['updated', String(report.updated)],
      ['unchanged', String(report.unchanged)],
      ['duplicates merged', String(report.duplicates)],
      ['conflicts (two people, one contact)', String(report.conflicts)],
      ['blocked (opted out)', String(report.blocked)],
      ['invalid (conflicts included)', String(report.rejected)],
      ['warnings', String(report.warnings.length)],
    ],
  );
  if (plan.newTopics.length > 0) {
    ctx.ui.info(`new topics: ${plan.newTopics.map((t) => `${t.id} ("${t.label}")`).join(', ')}`);
  }
  if (report.columnProblems.length > 0) {
    ctx.ui.out('');
    printTable(ctx.ui, ['COLUMN', 'FOR EXAMPLE', 'PROBLEM'], report.columnProblems.map((p) => [p.column, shorten(p.value, 40), p.reason]));
  }
  // a column's unreadable cells are told once above, not once per row (they are all in --errors FILE and --json)
  const told = new Set(report.columnProblems.map((p) => p.column));
  const errors = report.errors.filter((e) => e.column === null || !told.has(e.column) || !e.reason.startsWith('not a date'));
  if (errors.length > 0) {
    ctx.ui.out('');
    printTable(
      ctx.ui,
      ['LINE', 'COLUMN', 'VALUE', 'REASON'],
      errors.slice(0, SHOWN).map((e) => [String(e.line), e.column ?? '(row)', shorten(e.value, 40), e.reason]),
    );
    if (errors.length > SHOWN) {
      ctx.ui.info(`… and ${errors.length - SHOWN} more errors: see them all with --errors FILE or --json`);
    }
  }
  printWarnings(ctx, report.warnings);
  if (plan.blocked.length > 0) {
    ctx.ui.out('');
    printTable(ctx.ui, ['LINE', 'SUBSCRIBER', 'BLOCKED BECAUSE'], plan.blocked.slice(0, SHOWN).map((b) => [String(b.line), b.id, b.reason]));
    if (plan.blocked.length > SHOWN) ctx.ui.info(`… and ${plan.blocked.length - SHOWN} more blocked rows`);
  }
}

/** Warnings go to stderr: the rows were imported, but the admin should look at them. */
function printWarnings(ctx: Context, warnings: readonly ImportWarning[]): void {
  for (const w of warnings.slice(0, SHOWN)) {
    const where = w.line === null ? `column "${w.column ?? ''}"` : `line ${w.line}${w.column === null ? '' : ` (${w.column})`}`;
    ctx.ui.warn(`${where}: "${shorten(w.value, 40)}" ${w.line === null ? '— ' : ''}${w.reason}`);
  }
  if (warnings.length > SHOWN) ctx.ui.warn(`… and ${warnings.length - SHOWN} more warnings: see them all with --json`);
}
