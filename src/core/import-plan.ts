import { emailKey } from './email.js';
import { CanaleError } from './errors.js';
import type { ImportBatch } from './import-batch.js';
import { mergeIntoSubscriber, newSubscriber, type MergeOptions } from './import-merge.js';
import type { ImportRow, RejectedRow, RowError } from './import-row.js';
import type { StoreData } from './store-data.js';
import type { Subscriber, SubscriberId } from './subscriber.js';
import type { Topic, TopicId } from './topic.js';

export type ImportMode = 'upsert' | 'insert';

export interface ImportPlanOptions extends MergeOptions {
  readonly mode: ImportMode;
}

/** A row that matched someone who opted out and was left alone. */
export interface BlockedRow {
  readonly line: number;
  readonly id: SubscriberId;
  readonly reason: string;
}

/**
 * What an import will do to a store: the value that the dry run, the confirmation, the summary and the write all
 * use. New subscribers are kept as rows and built (with their ids) only when the plan is applied.
 */
export interface ImportPlan {
  readonly read: number;
  readonly inserts: readonly ImportRow[];
  readonly updates: ReadonlyArray<{ readonly index: number; readonly next: Subscriber }>;
  readonly unchanged: number;
  readonly duplicates: number;
  readonly blocked: readonly BlockedRow[];
  readonly rejected: readonly RejectedRow[];
  readonly newTopics: readonly Topic[];
}

/** The counts and errors of DESIGN §10 (`subscribers import --json`). */
export interface ImportReport {
  readonly read: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly duplicates: number;
  readonly blocked: number;
  readonly rejected: number;
  readonly errors: readonly RowError[];
}

/** For each citizen of the batch, the first subscriber of the store it matches (-1: none), and any others. */
interface StoreMatches {
  readonly first: Int32Array;
  readonly more: ReadonlyMap<number, readonly number[]>;
}

/**
 * For each citizen of the batch, the subscribers of the store it matches by id, phone or e-mail. The store is
 * walked once and looked up in the batch's own Maps, built while reading: no Map of the whole store is built.
 */
function matchStore(subscribers: readonly Subscriber[], batch: ImportBatch): StoreMatches {
  const first = new Int32Array(batch.citizens.length).fill(-1);
  const more = new Map<number, number[]>();
  const note = (citizen: number | undefined, index: number): void => {
    if (citizen === undefined) return;
    const seen = first[citizen] as number;
    if (seen === -1) first[citizen] = index;
    else if (seen !== index) {
      const list = more.get(citizen) ?? [];
      if (!list.includes(index)) more.set(citizen, [...list, index]);
    }
  };
  const byId = batch.byId.size > 0;
  for (let i = 0; i < subscribers.length; i++) {
    const s = subscribers[i] as Subscriber;
    if (s.phone !== undefined) note(batch.byPhone.get(s.phone), i);
    if (s.email !== undefined) note(batch.byEmail.get(emailKey(s.email)), i);
    if (byId) note(batch.byId.get(s.id), i);
  }
  return { first, more };
}

function lines(row: ImportRow): number[] {
  return [row.line, ...(row.mergedLines ?? [])];
}

/** Rejects every line of a citizen that clashes with the store, keeping their cells for `--errors`. */
function rejectCitizen(row: ImportRow, reason: string): RejectedRow[] {
  const value = [row.phone, row.email, row.id].filter(Boolean).join(', ');
  return lines(row).map((line, i) => {
    const cells = i === 0 ? row.cells : row.mergedCells?.[i - 1];
    return { line, errors: [{ line, column: null, value, reason }], ...(cells === undefined ? {} : { cells }) };
  });
}

/**
 * Plans an import against the store as it is now. Each citizen of the file is matched by id, phone or e-mail
 * (Maps, never a scan per row): no match is an insert; one match is merged (`upsert`) or left alone (`insert`);
 * matches with two different subscribers reject the row. Throws when a topic the rows use has been removed
 * from the store since the file was read.
 */
export function planImport(data: StoreData, batch: ImportBatch, options: ImportPlanOptions): ImportPlan {
  const known = new Set(data.topics.map((t) => t.id));
  const wanted = new Set<TopicId>();
  for (const c of batch.citizens) {
    for (const t of c.topics) wanted.add(t);
    for (const t of c.optedOutTopics ?? []) wanted.add(t);
  }
  const newTopics = batch.newTopics.filter((t) => !known.has(t.id) && wanted.has(t.id));
  const missing = [...wanted].filter((t) => !known.has(t) && !newTopics.some((n) => n.id === t));
  if (missing.length > 0) {
    throw new CanaleError('TOPICS_CHANGED', `topic ${missing.join(', ')} was removed while the file was read — nothing was imported; run the import again`);
  }
  const matches = matchStore(data.subscribers, batch);
  const inserts: ImportRow[] = [];
  const updates: Array<{ index: number; next: Subscriber }> = [];
  const blocked: BlockedRow[] = [];
  const rejected: RejectedRow[] = [...batch.rejected];
  let unchanged = 0;
  let duplicates = 0;
  batch.citizens.forEach((row, citizen) => {
    const index = matches.first[citizen] as number;
    const others = matches.more.get(citizen);
    if (others !== undefined) {
      const ids = [index, ...others].map((i) => (data.subscribers[i] as Subscriber).id).join(' and ');
      rejected.push(...rejectCitizen(row, `matches two different subscribers (${ids}) — fix the row, or merge them first`));
      return;
    }
    duplicates += row.mergedLines?.length ?? 0;
    if (index === -1) {
      inserts.push(row);
      return;
    }
    if (options.mode === 'insert') {
      unchanged++;
      return;
    }
    const current = data.subscribers[index] as Subscriber;
    const outcome = mergeIntoSubscriber(current, row, options);
    if (outcome.kind === 'unchanged') unchanged++;
    else if (outcome.kind === 'updated') updates.push({ index, next: outcome.next });
    else blocked.push({ line: row.line, id: current.id, reason: outcome.reason });
  });
  rejected.sort((a, b) => a.line - b.line);
  return { read: batch.read, inserts, updates, unchanged, duplicates, blocked, rejected, newTopics };
}

/** True when applying the plan would change the store. */
export function changesStore(plan: ImportPlan): boolean {
  return plan.inserts.length > 0 || plan.updates.length > 0 || plan.newTopics.length > 0;
}

/**
 * Applies a plan to the data it was planned against (inside `Store.update`). New subscribers keep the id the
 * file gives them, else get one from `newId`.
 */
export function applyImportPlan(data: StoreData, plan: ImportPlan, newId: () => SubscriberId, options: Pick<MergeOptions, 'now' | 'source'>): void {
  data.topics.push(...plan.newTopics);
  for (const { index, next } of plan.updates) data.subscribers[index] = next;
  // a generated id must not be one the store or the file already uses (a Set only when there are such ids)
  let taken: Set<string> | undefined;
  for (const s of data.subscribers) (taken ??= new Set()).add(s.id);
  for (const row of plan.inserts) if (row.id !== undefined) (taken ??= new Set()).add(row.id);
  const freshId = (): SubscriberId => {
    let id = newId();
    while (taken?.has(id) === true) id = newId();
    return id;
  };
  const shared = { ...options, sharedConsent: Object.freeze({ source: options.source, at: options.now }) };
  for (const row of plan.inserts) {
    data.subscribers.push(newSubscriber(row, (row.id as SubscriberId | undefined) ?? freshId(), shared));
  }
}

/** The counts every output shows; `errors` in line order. */
export function importReport(plan: ImportPlan): ImportReport {
  return {
    read: plan.read,
    inserted: plan.inserts.length,
    updated: plan.updates.length,
    unchanged: plan.unchanged,
    duplicates: plan.duplicates,
    blocked: plan.blocked.length,
    rejected: plan.rejected.length,
    errors: plan.rejected.flatMap((r) => r.errors),
  };
}
