import { describeRole, type ColumnMapping } from '../../core/column-mapping.js';
import { importReport, type ImportPlan } from '../../core/import-plan.js';
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
      ['blocked (opted out)', String(report.blocked)],
      ['invalid', String(report.rejected)],
    ],
  );
  if (plan.newTopics.length > 0) {
    ctx.ui.info(`new topics: ${plan.newTopics.map((t) => `${t.id} ("${t.label}")`).join(', ')}`);
  }
  if (report.errors.length > 0) {
    ctx.ui.out('');
    printTable(
      ctx.ui,
      ['LINE', 'COLUMN', 'VALUE', 'REASON'],
      report.errors.slice(0, SHOWN).map((e) => [String(e.line), e.column ?? '(row)', shorten(e.value, 40), e.reason]),
    );
    if (report.errors.length > SHOWN) {
      ctx.ui.info(`… and ${report.errors.length - SHOWN} more errors: see them all with --errors FILE or --json`);
    }
  }
  if (plan.blocked.length > 0) {
    ctx.ui.out('');
    printTable(ctx.ui, ['LINE', 'SUBSCRIBER', 'BLOCKED BECAUSE'], plan.blocked.slice(0, SHOWN).map((b) => [String(b.line), b.id, b.reason]));
    if (plan.blocked.length > SHOWN) ctx.ui.info(`… and ${plan.blocked.length - SHOWN} more blocked rows`);
  }
}
