import { cutValue } from '../cut-value.js';
import { emailKey } from '../email.js';
import { CanaleError } from '../errors.js';
import type { ImportBatch } from './batch.js';
import { mergeIntoSubscriber, newSubscriber, type MergeOptions } from './merge.js';
import type { ColumnProblem, ImportWarning } from './notes.js';
import type { ImportRow, RejectedRow, RowError } from './row.js';
import { UserIdClaims } from './user-ids.js';
import { KeyIndex } from '../key-index.js';
import { namesAgree } from './name-match.js';
import type { SubscriberStore, SubscriberTransaction } from '../ports.js';
import { SubscriberBook } from '../subscriber-book.js';
import type { StoreData } from '../store-data.js';
import type { Subscriber, SubscriberId } from '../subscriber.js';
import type { Topic, TopicId } from '../topic.js';

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
  readonly warnings: readonly ImportWarning[];
  readonly columnProblems: readonly ColumnProblem[];
}

/** The counts and errors of DESIGN §10 (`subscribers import --json`). */
export interface ImportReport {
  readonly read: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly duplicates: number;
  /** Rows rejected (counted in `rejected` too) because they name another person than a row or subscriber with their contact. */
  readonly conflicts: number;
  readonly blocked: number;
  readonly rejected: number;
  readonly errors: readonly RowError[];
  readonly warnings: readonly ImportWarning[];
  readonly columnProblems: readonly ColumnProblem[];
}

function lines(row: ImportRow): number[] {
  return [row.line, ...(row.mergedLines ?? [])];
}

/** Rejects every line of a citizen that clashes with the store, keeping their cells for `--errors`. */
function rejectCitizen(row: ImportRow, reason: string, conflict = false): RejectedRow[] {
  const value = [row.phone, row.email, row.id].filter(Boolean).join(', ');
  return lines(row).map((line, i) => {
    const cells = i === 0 ? row.cells : row.mergedCells?.[i - 1];
    return { line, errors: [{ line, column: null, value, reason }], ...(cells === undefined ? {} : { cells }), ...(conflict ? { conflict: true as const } : {}) };
  });
}

/** Why a citizen of the file is not merged into the stored subscriber with their contact: it names someone else. */
function storeConflict(row: ImportRow, name: string | undefined, s: Subscriber): string {
  const contact = row.phone !== undefined && row.phone === s.phone ? `phone ${s.phone}` : row.email !== undefined && s.email !== undefined ? `e-mail ${s.email}` : `id ${s.id}`;
  return `the ${contact} is subscriber ${s.id}'s, "${s.name ?? ''}", but this row names "${name ?? ''}" — two people are never merged: correct the contact or the name, then import again`;
}

const NONE = -1;

/**
 * Plans an import against the store one subscriber at a time, so the store can be read as a stream and no
 * subscriber is kept in memory unless the import changes it. Each subscriber is looked up in the batch's indexes
 * by phone, e-mail and id (never a scan per row); what the matched row would do to it is decided there and then.
 * A citizen that matches two subscribers, or a subscriber that two rows of the file match, is rejected.
 */
export class ImportPlanner {
  /** Per citizen of the batch: the id of the store subscriber it matched, undefined while none has. */
  private readonly firstId: Array<string | undefined>;
  private readonly updates = new Map<number, { index: number; next: Subscriber }>();
  private readonly blocked = new Map<number, BlockedRow>();
  /** Citizens that match more than one subscriber, with the ids of all they match. */
  private readonly twoSubscribers = new Map<number, string[]>();
  /** Citizens that share a subscriber with another row of the file, with why. */
  private readonly sharedSubscriber = new Map<number, string>();
  /** Citizens that have a stored subscriber's contact but another person's name, with why. */
  private readonly namedOther = new Map<number, string>();
  private readonly userIds: UserIdClaims;

  constructor(
    private readonly batch: ImportBatch,
    private readonly options: ImportPlanOptions,
  ) {
    this.firstId = new Array<string | undefined>(batch.citizens.length).fill(undefined);
    this.userIds = new UserIdClaims(batch.citizens);
  }

  /** One subscriber of the store, at its place in the store's list. */
  subscriber(s: Subscriber, index: number): void {
    const batch = this.batch;
    this.userIds.see(s);
    const byPhone = s.phone === undefined ? NONE : batch.citizenByPhone(s.phone);
    const byEmail = s.email === undefined ? NONE : batch.citizenByEmail(emailKey(s.email));
    const byId = batch.hasIds ? batch.citizenById(s.id) : NONE;
    const citizen = byPhone !== NONE ? byPhone : byEmail !== NONE ? byEmail : byId;
    if (citizen === NONE) return;
    if ((byEmail !== NONE && byEmail !== citizen) || (byId !== NONE && byId !== citizen)) {
      // with --mode insert, rows of people the store has change nothing: each is simply someone it has
      if (this.options.mode === 'upsert') this.shared(s, byPhone, byEmail, byId);
      else for (const c of new Set([byPhone, byEmail, byId])) if (c !== NONE) this.match(c, s, index);
      return;
    }
    this.match(citizen, s, index);
  }

  private match(citizen: number, s: Subscriber, index: number): void {
    const seen = this.firstId[citizen];
    if (seen !== undefined) {
      const ids = this.twoSubscribers.get(citizen);
      if (ids === undefined) this.twoSubscribers.set(citizen, [seen, s.id]);
      else ids.push(s.id);
      return;
    }
    this.firstId[citizen] = s.id;
    const row = this.batch.citizens[citizen] as ImportRow;
    // most rows that match a subscriber carry the very name it has, which agrees at once
    const name = this.batch.fullName(citizen);
    if (!namesAgree(name, s.name)) {
      this.namedOther.set(citizen, storeConflict(row, name, s));
      return;
    }
    if (this.options.mode === 'insert') return;
    const outcome = mergeIntoSubscriber(s, row, this.options);
    if (outcome.kind === 'updated') this.updates.set(citizen, { index, next: outcome.next });
    else if (outcome.kind === 'blocked') this.blocked.set(citizen, { line: row.line, id: s.id, reason: outcome.reason });
  }

  /** What the import does, once every subscriber has been seen; throws when a topic the rows use is gone. */
  finish(topics: readonly Topic[]): ImportPlan {
    const { batch } = this;
    const newTopics = checkTopics(batch, topics);
    const inserts: ImportRow[] = [];
    const updates: Array<{ index: number; next: Subscriber }> = [];
    const blocked: BlockedRow[] = [];
    const rejected: RejectedRow[] = [...batch.rejected];
    let unchanged = 0;
    let duplicates = 0;
    batch.citizens.forEach((row, citizen) => {
      if (batch.isConflicted(citizen)) return;
      const ids = this.twoSubscribers.get(citizen);
      const clash = ids === undefined ? this.sharedSubscriber.get(citizen) : `matches two different subscribers (${ids.join(' and ')}) — fix the row, or merge them first`;
      if (clash !== undefined) {
        rejected.push(...rejectCitizen(row, clash));
        return;
      }
      const other = this.namedOther.get(citizen) ?? this.userIds.clash(citizen, this.firstId[citizen]);
      if (other !== undefined) {
        rejected.push(...rejectCitizen(row, other, true));
        return;
      }
      duplicates += row.mergedLines?.length ?? 0;
      if (this.firstId[citizen] === undefined) {
        inserts.push(row);
        return;
      }
      const update = this.updates.get(citizen);
      const block = update === undefined ? this.blocked.get(citizen) : undefined;
      if (update !== undefined) updates.push(update);
      else if (block !== undefined) blocked.push(block);
      else unchanged++;
    });
    rejected.sort((a, b) => a.line - b.line);
    const { warnings, columnProblems } = batch;
    return { read: batch.read, inserts, updates, unchanged, duplicates, blocked, rejected, newTopics, warnings, columnProblems };
  }

  /** A subscriber whose phone, e-mail or id are spread over different rows of the file: each of them is rejected. */
  private shared(s: Subscriber, byPhone: number, byEmail: number, byId: number): void {
    const citizens = [...new Set([byPhone, byEmail, byId])].filter((c) => c !== NONE);
    const what = (c: number): string =>
      [byPhone === c ? 'phone' : '', byEmail === c ? 'e-mail' : '', byId === c ? 'id' : ''].filter(Boolean).join(' and ');
    for (const c of citizens) {
      if (this.sharedSubscriber.has(c)) continue;
      const others = citizens.filter((o) => o !== c).map((o) => `the ${what(o)} of line ${(this.batch.citizens[o] as ImportRow).line}`);
      this.sharedSubscriber.set(
        c,
        `subscriber ${s.id} has this row's ${what(c)} and ${others.join(' and ')} — one citizen has one phone and one e-mail; make the two rows one, or fix one`,
      );
    }
  }
}

/** The topics to create for the rows; throws when a topic the rows use has been removed since the file was read. */
function checkTopics(batch: ImportBatch, topics: readonly Topic[]): Topic[] {
  const known = new Set(topics.map((t) => t.id));
  const wanted = new Set<TopicId>();
  // rows with the same topics share one list (RowReader): each list is looked at once, not a million times
  const lists = new Set<readonly TopicId[]>();
  const want = (list: readonly TopicId[] | undefined): void => {
    if (list === undefined || lists.has(list)) return;
    if (lists.size < 10_000) lists.add(list);
    for (const t of list) wanted.add(t);
  };
  for (const c of batch.citizens) {
    want(c.topics);
    want(c.optedOutTopics);
  }
  const newTopics = batch.newTopics.filter((t) => !known.has(t.id) && wanted.has(t.id));
  const missing = [...wanted].filter((t) => !known.has(t) && !newTopics.some((n) => n.id === t));
  if (missing.length > 0) {
    throw new CanaleError('TOPICS_CHANGED', `topic ${missing.join(', ')} was removed while the file was read — nothing was imported; run the import again`);
  }
  return newTopics;
}

/** Plans an import against the store read as a stream (`SubscriberStore.scan`): only what the import changes is kept. */
export async function planImportByScan(store: Pick<SubscriberStore, 'scan' | 'topics'>, batch: ImportBatch, options: ImportPlanOptions): Promise<ImportPlan> {
  const planner = new ImportPlanner(batch, options);
  await store.scan(undefined, (subscriber, index) => planner.subscriber(subscriber, index));
  return planner.finish(await store.topics());
}

/** Plans an import against the store as a transaction sees it (or a StoreData held whole in memory). */
export function planImport(data: StoreData | SubscriberTransaction, batch: ImportBatch, options: ImportPlanOptions): ImportPlan {
  const tx = SubscriberBook.of(data);
  const planner = new ImportPlanner(batch, options);
  tx.scan((subscriber, index) => planner.subscriber(subscriber, index));
  return planner.finish(tx.topics());
}

/** True when applying the plan would change the store. */
export function changesStore(plan: ImportPlan): boolean {
  return plan.inserts.length > 0 || plan.updates.length > 0 || plan.newTopics.length > 0;
}

/**
 * Applies a plan to the store it was planned against (in the same transaction). New subscribers keep the id the
 * file gives them, else get one from `newId`.
 */
export function applyImportPlan(data: StoreData | SubscriberTransaction, plan: ImportPlan, newId: () => SubscriberId, options: Pick<MergeOptions, 'now' | 'source'>): void {
  const tx = SubscriberBook.of(data);
  for (const topic of plan.newTopics) tx.putTopic(topic);
  for (const { next } of plan.updates) tx.replace(next);
  // a generated id must not be one the store or the file already uses (an index only when there are such ids; a
  // key index rather than a Set: a million ids go in in about a third of the time)
  let taken: KeyIndex | undefined;
  tx.scan((s) => (taken ??= new KeyIndex()).set(s.id, 0));
  for (const row of plan.inserts) if (row.id !== undefined) (taken ??= new KeyIndex()).set(row.id, 0);
  const freshId = (): SubscriberId => {
    let id = newId();
    while (taken !== undefined && taken.get(id) !== -1) id = newId();
    return id;
  };
  const shared = { ...options, sharedConsent: Object.freeze({ source: options.source, at: options.now }) };
  for (const row of plan.inserts) tx.insert(newSubscriber(row, (row.id as SubscriberId | undefined) ?? freshId(), shared));
}

/** A problem as the report shows it: its value cut to a readable length (the cells stay whole in --errors FILE). */
function withCutValue<T extends { readonly value: string }>(problem: T): T {
  const value = cutValue(problem.value);
  return value === problem.value ? problem : { ...problem, value };
}

/** The counts every output shows; `errors` in line order, each value cut to a readable length. */
export function importReport(plan: ImportPlan): ImportReport {
  return {
    read: plan.read,
    inserted: plan.inserts.length,
    updated: plan.updates.length,
    unchanged: plan.unchanged,
    duplicates: plan.duplicates,
    conflicts: plan.rejected.filter((r) => r.conflict === true).length,
    blocked: plan.blocked.length,
    rejected: plan.rejected.length,
    errors: plan.rejected.flatMap((r) => r.errors.map((e) => withCutValue(e))),
    warnings: plan.warnings.map((w) => withCutValue(w)),
    columnProblems: plan.columnProblems.map((p) => withCutValue(p)),
  };
}
