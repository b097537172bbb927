import { emailKey } from '../email.js';
import type { ColumnProblem, ImportWarning } from './notes.js';
import type { ImportRow, RejectedRow, RowResult } from './row.js';
import { KeyIndex } from '../key-index.js';
import { fullerName, namesAgree } from './name-match.js';
import type { Topic } from '../topic.js';

/** Everything read from a file, before it meets the store: one row per citizen, and the rows that were rejected. */
export interface ImportBatch {
  readonly read: number;
  readonly citizens: readonly ImportRow[];
  readonly rejected: readonly RejectedRow[];
  /** Topics to create (`--create-topics`); those only rejected rows named are left out when planning. */
  readonly newTopics: readonly Topic[];
  /** The citizen (index in `citizens`) with this phone, -1 when none. */
  citizenByPhone(phone: string): number;
  /** The citizen with this e-mail (by `emailKey`), -1 when none. */
  citizenByEmail(key: string): number;
  /** The citizen with this id, -1 when none. */
  citizenById(id: string): number;
  /** True when some row gives an id (an export of canale): most files have none. */
  readonly hasIds: boolean;
  /** The fullest name the citizen's rows give (the one a stored subscriber's name is compared with). */
  fullName(citizen: number): string | undefined;
  /** True when the citizen's rows name two people: they are all in `rejected`, and lookups do not find them. */
  isConflicted(citizen: number): boolean;
  /** What is told about the file as a whole: warnings of imported rows, columns that cannot be read. */
  readonly warnings: readonly ImportWarning[];
  readonly columnProblems: readonly ColumnProblem[];
}

/** Rows that share a citizen's phone, e-mail or id but name someone else; `contact` says which is shared. */
interface Conflict {
  readonly contact: string;
  readonly rows: ImportRow[];
}

/** What is told about the file as a whole, from the reader of its rows. */
export interface FileNotes {
  readonly warnings: readonly ImportWarning[];
  readonly columnProblems: readonly ColumnProblem[];
  /** Consent dates read day first before their column showed it writes month first: the right ones, by line. */
  readonly consentAtFixes?: ReadonlyMap<number, string>;
}

/** Every line of a conflict, rejected: each names all the lines, the shared contact and the names. */
function rejectConflict(rows: readonly ImportRow[], contact: string): RejectedRow[] {
  const all = rows.flatMap((row) => [
    { line: row.line, cells: row.cells },
    ...(row.mergedLines ?? []).map((line, i) => ({ line, cells: row.mergedCells?.[i] })),
  ]);
  all.sort((a, b) => a.line - b.line);
  const names = [...new Set(rows.map((r) => r.name).filter((n) => n !== undefined))].map((n) => `"${n}"`);
  const value = contact.slice(contact.indexOf(' ') + 1);
  const reason = `lines ${all.map((r) => r.line).join(', ')} have the same ${contact} but name different people (${names.join(', ')}) — two people are never merged: correct the contact or the name of the line that is wrong, then import again`;
  return all.map(({ line, cells }) => ({ line, errors: [{ line, column: null, value, reason }], conflict: true as const, ...(cells === undefined ? {} : { cells }) }));
}

/** `emailKey`, returning the very string it was given when that is already the key (no second copy kept in a Map). */
export function sharedEmailKey(email: string): string {
  const key = emailKey(email);
  return key === email ? email : key;
}

function union<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] {
  const out = [...(a ?? [])];
  for (const item of b ?? []) if (!out.includes(item)) out.push(item);
  return out;
}

/**
 * Two rows of the same citizen become one: the earlier row's values stay, its empty ones are filled from the later
 * row, topics and opt-outs are joined, later attributes win, and an opt-out in either row holds.
 */
export function mergeRows(a: ImportRow, b: ImportRow): ImportRow {
  const optedOut = union(a.optedOutTopics, b.optedOutTopics);
  const merged: ImportRow = {
    ...b,
    ...a,
    name: a.name ?? b.name,
    phone: a.phone ?? b.phone,
    whatsappUserId: a.whatsappUserId ?? b.whatsappUserId,
    email: a.email ?? b.email,
    topics: union(a.topics, b.topics),
    attributes: { ...a.attributes, ...b.attributes },
    ...(a.status === 'unsubscribed' || b.status === 'unsubscribed' ? { status: 'unsubscribed' as const } : {}),
    ...(optedOut.length > 0 ? { optedOutTopics: optedOut } : {}),
    ...(a.whatsappUnreachable || b.whatsappUnreachable ? { whatsappUnreachable: true as const } : {}),
    ...(a.emailBounced || b.emailBounced ? { emailBounced: true as const } : {}),
    mergedLines: [...(a.mergedLines ?? []), b.line],
    ...(a.cells === undefined ? {} : { mergedCells: [...(a.mergedCells ?? []), b.cells] }),
  };
  return merged;
}

/**
 * Collects rows as they are read, merging those of the same citizen (same phone, e-mail or id) with key indexes,
 * so a million rows cost a million lookups. A row that would join two different citizens, or that gives one citizen a
 * second phone or e-mail, is rejected with the line it clashes with.
 */
export class ImportBatchBuilder {
  private readonly citizens: ImportRow[] = [];
  private readonly rejected: RejectedRow[] = [];
  private readonly byPhone: KeyIndex;
  private readonly byEmail: KeyIndex;
  private readonly byId = new KeyIndex();
  /** Citizens whose fullest name is not the one their merged row keeps (a later row gave more words). */
  private readonly fuller = new Map<number, string>();
  private readonly conflicts = new Map<number, Conflict>();
  private read = 0;

  /** `expectedRows`, a guess, sizes the phone and e-mail indexes so they need not grow while rows come. */
  constructor(expectedRows = 0) {
    this.byPhone = new KeyIndex(expectedRows);
    this.byEmail = new KeyIndex(expectedRows);
  }

  add(result: RowResult): void {
    this.read++;
    if (!result.ok) {
      this.rejected.push(result.rejected);
      return;
    }
    const row = result.row;
    const email = row.email === undefined ? undefined : sharedEmailKey(row.email);
    const byPhone = row.phone === undefined ? -1 : this.byPhone.get(row.phone);
    const byEmail = email === undefined ? -1 : this.byEmail.get(email);
    const byId = row.id === undefined ? -1 : this.byId.get(row.id);
    if (byPhone === -1 && byEmail === -1 && byId === -1) {
      this.index(row, email, this.citizens.push(row) - 1);
      return;
    }
    const groups = [...new Set([byPhone, byEmail, byId].filter((g) => g !== -1))];
    const only = groups.length === 1 ? (groups[0] as number) : -1;
    const clash = only !== -1 && this.conflicts.has(only) ? undefined : this.clash(row, groups);
    if (clash !== undefined) {
      this.rejected.push({ line: row.line, errors: [{ line: row.line, ...clash }], ...(row.cells === undefined ? {} : { cells: row.cells }) });
      return;
    }
    // one citizen's rows, unless they name two people: then every row with that contact is a conflict
    if (this.conflicts.has(only) || !namesAgree(row.name, this.nameOf(only))) {
      const contact = only === byPhone ? `phone ${row.phone}` : only === byEmail ? `e-mail ${row.email}` : `id ${row.id}`;
      const conflict = this.conflicts.get(only) ?? { contact, rows: [] };
      conflict.rows.push(row);
      this.conflicts.set(only, conflict);
      this.index(row, email, only);
      return;
    }
    const group = groups[0] as number;
    const fullest = fullerName(this.nameOf(group), row.name);
    const merged = mergeRows(this.citizens[group] as ImportRow, row);
    this.citizens[group] = merged;
    if (fullest !== merged.name && fullest !== undefined) this.fuller.set(group, fullest);
    this.index(row, email, group);
  }

  /** A row that may have been counted and rejected by the reader before it had cells (a broken record). */
  addBroken(rejected: RejectedRow): void {
    this.read++;
    this.rejected.push(rejected);
  }

  build(newTopics: readonly Topic[], notes: FileNotes = { warnings: [], columnProblems: [] }): ImportBatch {
    const { read, citizens, byPhone, byEmail, byId, conflicts, fuller } = this;
    const fixes = notes.consentAtFixes;
    if (fixes !== undefined && fixes.size > 0) {
      // a citizen's consent date is its first row's
      citizens.forEach((c, i) => {
        const at = fixes.get(c.line);
        if (at !== undefined && c.consentAt !== undefined) citizens[i] = { ...c, consentAt: at };
      });
    }
    const rejected = [...this.rejected];
    for (const [citizen, conflict] of conflicts) rejected.push(...rejectConflict([citizens[citizen] as ImportRow, ...conflict.rows], conflict.contact));
    // without conflicts (most files) the lookups are the indexes themselves
    const live = conflicts.size === 0 ? (c: number): number => c : (c: number): number => (conflicts.has(c) ? -1 : c);
    return {
      read,
      citizens,
      rejected,
      newTopics,
      citizenByPhone: (phone) => live(byPhone.get(phone)),
      citizenByEmail: (key) => live(byEmail.get(key)),
      citizenById: (id) => live(byId.get(id)),
      hasIds: byId.size > 0,
      fullName: (citizen) => fuller.get(citizen) ?? citizens[citizen]?.name,
      isConflicted: (citizen) => conflicts.has(citizen),
      warnings: notes.warnings,
      columnProblems: notes.columnProblems,
    };
  }

  private nameOf(group: number): string | undefined {
    return this.fuller.get(group) ?? this.citizens[group]?.name;
  }

  private index(row: ImportRow, email: string | undefined, group: number): void {
    if (row.phone !== undefined) this.byPhone.set(row.phone, group);
    if (email !== undefined) this.byEmail.set(email, group);
    if (row.id !== undefined) this.byId.set(row.id, group);
  }

  private clash(row: ImportRow, groups: readonly number[]): { column: null; value: string; reason: string } | undefined {
    const lines = groups.map((g) => (this.citizens[g] as ImportRow).line);
    if (groups.length > 1) {
      return {
        column: null,
        value: [row.phone, row.email, row.id].filter(Boolean).join(', '),
        reason: `its contacts belong to two different citizens of this file (lines ${lines.join(' and ')}) — keep them apart or fix one`,
      };
    }
    const other = this.citizens[groups[0] as number] as ImportRow;
    const differs = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && a !== b;
    const what = differs(row.phone, other.phone)
      ? `phone ${other.phone}`
      : differs(row.email === undefined ? undefined : emailKey(row.email), other.email === undefined ? undefined : emailKey(other.email))
        ? `e-mail ${other.email}`
        : differs(row.id, other.id)
          ? `id ${other.id}`
          : undefined;
    if (what === undefined) return undefined;
    return {
      column: null,
      value: [row.phone, row.email, row.id].filter(Boolean).join(', '),
      reason: `the same citizen as line ${other.line}, which has another ${what} — one citizen has one phone and one e-mail; fix one of the two lines`,
    };
  }
}
