import { emailKey } from './email.js';
import type { ImportRow, RejectedRow, RowResult } from './import-row.js';
import { KeyIndex } from './key-index.js';
import type { Topic } from './topic.js';

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
    const clash = this.clash(row, groups);
    if (clash !== undefined) {
      this.rejected.push({ line: row.line, errors: [{ line: row.line, ...clash }], ...(row.cells === undefined ? {} : { cells: row.cells }) });
      return;
    }
    const group = groups[0] as number;
    this.citizens[group] = mergeRows(this.citizens[group] as ImportRow, row);
    this.index(row, email, group);
  }

  /** A row that may have been counted and rejected by the reader before it had cells (a broken record). */
  addBroken(rejected: RejectedRow): void {
    this.read++;
    this.rejected.push(rejected);
  }

  build(newTopics: readonly Topic[]): ImportBatch {
    const { read, citizens, rejected, byPhone, byEmail, byId } = this;
    return {
      read,
      citizens,
      rejected,
      newTopics,
      citizenByPhone: (phone) => byPhone.get(phone),
      citizenByEmail: (key) => byEmail.get(key),
      citizenById: (id) => byId.get(id),
      hasIds: byId.size > 0,
    };
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
