import { describe, expect, it } from 'vitest';
import { ImportBatchBuilder } from '../../src/core/import/batch.js';
import { applyImportPlan, ImportPlanner, importReport, planImport, type ImportPlanOptions } from '../../src/core/import/plan.js';
import type { ImportRow } from '../../src/core/import/row.js';
import type { Email } from '../../src/core/email.js';
import type { E164 } from '../../src/core/phone.js';
import type { StoreData } from '../../src/core/store-data.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import type { TopicId } from '../../src/core/topic.js';
import { aStore, aSubscriber } from '../support/builders.js';

const NOW = '2026-11-28T09:00:00.000Z';
const OPTIONS: ImportPlanOptions = { mode: 'upsert', allowResubscribe: false, now: NOW, source: 'import:iscritti.csv#0123456789ab' };

let line = 1;
function aRow(overrides: Partial<Omit<ImportRow, 'topics'>> & { topics?: string[] } = {}): ImportRow {
  line++;
  const { topics, ...rest } = overrides;
  return { line, topics: (topics ?? ['cantieri']) as TopicId[], channel: 'whatsapp', attributes: {}, ...rest };
}

function batchOf(rows: ImportRow[]) {
  const builder = new ImportBatchBuilder();
  for (const row of rows) builder.add({ ok: true, row });
  return builder.build([]);
}

function plan(data: StoreData, rows: ImportRow[], options: Partial<ImportPlanOptions> = {}) {
  return planImport(data, batchOf(rows), { ...OPTIONS, ...options });
}

const phone = (p: string) => p as E164;
const email = (e: string) => e as Email;

describe('rows of the same citizen in one file', () => {
  it('are merged: first values kept, empty ones filled, topics joined, later attributes win', () => {
    const a = aRow({ line: 2, name: 'Maria', phone: phone('+393331234567'), topics: ['cantieri'], attributes: { municipio: 'I', cap: '00100' } });
    const b = aRow({ line: 5, name: 'Maria Rossi', email: email('m@example.it'), phone: phone('+393331234567'), topics: ['scuola'], attributes: { municipio: 'II' } });
    const c = aRow({ line: 9, email: email('M@example.it'), topics: ['cantieri', 'eventi'] });
    const p = plan(aStore(), [a, b, c]);
    expect(p.inserts).toEqual([
      expect.objectContaining({ line: 2, name: 'Maria', phone: '+393331234567', email: 'm@example.it', topics: ['cantieri', 'scuola', 'eventi'], attributes: { municipio: 'II', cap: '00100' }, mergedLines: [5, 9] }),
    ]);
    expect(importReport(p)).toMatchObject({ read: 3, inserted: 1, duplicates: 2, rejected: 0 });
  });

  it('are rejected when they give one citizen a second phone, or join two citizens', () => {
    const a = aRow({ line: 2, phone: phone('+393331234567'), email: email('a@example.it') });
    const b = aRow({ line: 3, phone: phone('+393339999999'), email: email('b@example.it') });
    const secondPhone = aRow({ line: 4, phone: phone('+393330000000'), email: email('a@example.it') });
    const bridge = aRow({ line: 5, phone: phone('+393331234567'), email: email('b@example.it') });
    const report = importReport(plan(aStore(), [a, b, secondPhone, bridge]));
    expect(report).toMatchObject({ read: 4, inserted: 2, duplicates: 0, rejected: 2 });
    expect(report.errors).toEqual([
      { line: 4, column: null, value: '+393330000000, a@example.it', reason: expect.stringMatching(/^the same citizen as line 2, which has another phone \+393331234567/) },
      { line: 5, column: null, value: '+393331234567, b@example.it', reason: 'its contacts belong to two different citizens of this file (lines 2 and 3) — keep them apart or fix one' },
    ]);
  });
});

describe('planning against the store', () => {
  const maria = aSubscriber({ id: 'sub_maria' as SubscriberId, name: undefined, phone: phone('+393331234567'), email: undefined, topics: ['cantieri'], attributes: { municipio: 'I', nota: 'x' } });

  it('upsert matches by phone or e-mail, fills empty fields, adds topics, sets attributes, never erases', () => {
    const data = aStore([maria]);
    const p = plan(data, [aRow({ name: 'Maria Rossi', phone: phone('+393331234567'), email: email('m@example.it'), topics: ['scuola'], attributes: { municipio: 'II' } })]);
    expect(importReport(p)).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
    expect(p.updates[0]?.next).toEqual({
      ...maria,
      name: 'Maria Rossi',
      email: 'm@example.it',
      topics: ['cantieri', 'scuola'],
      attributes: { municipio: 'II', nota: 'x' },
      updatedAt: NOW,
    });
  });

  it('counts a row that adds nothing as unchanged', () => {
    const p = plan(aStore([maria]), [aRow({ phone: phone('+393331234567'), topics: ['cantieri'], attributes: { municipio: 'I' } })]);
    expect(importReport(p)).toMatchObject({ updated: 0, unchanged: 1 });
  });

  it('insert mode only adds new subscribers and leaves known ones alone', () => {
    const p = plan(aStore([maria]), [aRow({ phone: phone('+393331234567'), topics: ['scuola'] }), aRow({ email: email('new@example.it'), channel: 'email' })], { mode: 'insert' });
    expect(importReport(p)).toMatchObject({ inserted: 1, updated: 0, unchanged: 1 });
  });

  it('rejects a row whose phone is one subscriber and e-mail another', () => {
    const luca = aSubscriber({ id: 'sub_luca' as SubscriberId, phone: undefined, email: email('luca@example.it'), channel: 'email' });
    const p = plan(aStore([maria, luca]), [aRow({ line: 4, phone: phone('+393331234567'), email: email('LUCA@example.it') })]);
    expect(importReport(p).errors).toEqual([
      { line: 4, column: null, value: '+393331234567, LUCA@example.it', reason: 'matches two different subscribers (sub_maria and sub_luca) — fix the row, or merge them first' },
    ]);
  });

  it('rejects two rows that are one subscriber (one by phone, one by e-mail) instead of applying both to it', () => {
    const both = { ...maria, email: email('maria@example.it') };
    const byPhone = aRow({ line: 4, phone: phone('+393331234567'), email: email('m.rossi@example.it'), topics: ['scuola'] });
    const byEmail = aRow({ line: 7, phone: phone('+393339999999'), email: email('maria@example.it'), topics: ['eventi'] });
    const other = aRow({ line: 9, phone: phone('+393330000001') });
    const p = plan(aStore([both]), [byPhone, byEmail, other]);
    expect(p.updates).toEqual([]);
    expect(importReport(p)).toMatchObject({ read: 3, inserted: 1, updated: 0, rejected: 2 });
    expect(importReport(p).errors).toEqual([
      { line: 4, column: null, value: '+393331234567, m.rossi@example.it', reason: expect.stringMatching(/^subscriber sub_maria has this row's phone and the e-mail of line 7 — one citizen has one phone/) },
      { line: 7, column: null, value: '+393339999999, maria@example.it', reason: expect.stringMatching(/^subscriber sub_maria has this row's e-mail and the phone of line 4 — /) },
    ]);
    // --mode insert changes nobody the store has: both rows are simply people it already holds
    expect(importReport(plan(aStore([both]), [byPhone, byEmail, other], { mode: 'insert' }))).toMatchObject({ inserted: 1, unchanged: 2, rejected: 0 });
  });

  it('plans the same whether the store is held whole or handed over one subscriber at a time', () => {
    const people = [maria, ...Array.from({ length: 30 }, (_, i) => aSubscriber({ attributes: { n: String(i % 3) } }))];
    const rows = people.flatMap((s, i) => (i % 4 === 0 ? [] : [aRow({ phone: s.phone, topics: i % 2 === 0 ? ['cantieri'] : ['eventi'], attributes: { n: '1' } })]));
    rows.push(aRow({ phone: phone('+393330000002') }));
    const planner = new ImportPlanner(batchOf(rows), OPTIONS);
    people.forEach((s, i) => planner.subscriber(s, i));
    const streamed = planner.finish(aStore().topics);
    const whole = plan(aStore(people), rows);
    expect(streamed).toEqual(whole);
    expect(importReport(whole)).toMatchObject({ inserted: 1, updated: expect.any(Number), unchanged: expect.any(Number) });
    expect(whole.updates.length).toBeGreaterThan(0);
    expect(whole.unchanged).toBeGreaterThan(0);
  });

  it.each([
    ['who unsubscribed from everything', { status: 'unsubscribed' as const, history: [{ at: '2026-05-01T10:00:00.000Z', action: 'unsubscribed' as const, source: 'cli' }] }, ['cantieri'], /^sub_maria unsubscribed from everything on 2026-05-01 — not re-subscribed/],
    ['who left a topic the row lists', { topics: ['cantieri'] as TopicId[], optedOutTopics: ['eventi'] as TopicId[] }, ['eventi'], /^sub_maria left topic eventi on purpose/],
  ])('blocks a row for someone %s', (_what, state, topics, reason) => {
    const data = aStore([{ ...maria, ...state }]);
    const p = plan(data, [aRow({ line: 3, phone: phone('+393331234567'), topics, attributes: { municipio: 'IX' } })]);
    expect(importReport(p)).toMatchObject({ updated: 0, blocked: 1 });
    expect(p.blocked).toEqual([{ line: 3, id: 'sub_maria', reason: expect.stringMatching(reason) }]);

    const allowed = plan(data, [aRow({ line: 3, phone: phone('+393331234567'), topics })], { allowResubscribe: true });
    const next = allowed.updates[0]?.next;
    expect(next).toMatchObject({ status: 'active', topics: expect.arrayContaining(topics) });
    expect(next?.optedOutTopics ?? []).not.toContain('eventi');
    expect(next?.history?.at(-1)).toMatchObject({ at: NOW, source: OPTIONS.source });
  });

  it('does not block a row that leaves a topic alone, and applies an opt-out the row carries', () => {
    const data = aStore([{ ...maria, optedOutTopics: ['eventi'] as TopicId[] }]);
    const p = plan(data, [aRow({ phone: phone('+393331234567'), topics: ['scuola'], status: 'unsubscribed' })]);
    expect(p.updates[0]?.next).toMatchObject({ status: 'unsubscribed', topics: ['cantieri', 'scuola'], history: [{ action: 'unsubscribed', source: OPTIONS.source }] });
  });

  it('applies: new subscribers with the import as consent source (or the file’s), updates in place', () => {
    const data = aStore([maria]);
    const rows = [
      aRow({ phone: phone('+393331234567'), topics: ['scuola'] }),
      aRow({ email: email('luca@example.it'), channel: 'email', consentAt: '2026-01-02T08:00:00.000Z' }),
      aRow({ id: 'sub_kept', email: email('anna@example.it'), channel: 'email', consentSource: 'cli', consentAt: '2025-01-01T00:00:00.000Z', createdAt: '2025-01-01T00:00:00.000Z' }),
    ];
    const p = plan(data, rows);
    let n = 0;
    applyImportPlan(data, p, () => `sub_new${++n}` as SubscriberId, OPTIONS);
    expect(data.subscribers.map((s) => [s.id, s.topics, s.consent, s.createdAt, s.updatedAt])).toEqual([
      ['sub_maria', ['cantieri', 'scuola'], maria.consent, maria.createdAt, NOW],
      ['sub_new1', ['cantieri'], { source: OPTIONS.source, at: '2026-01-02T08:00:00.000Z' }, NOW, NOW],
      ['sub_kept', ['cantieri'], { source: 'cli', at: '2025-01-01T00:00:00.000Z' }, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ]);
  });

  it('never gives a new subscriber an id the store or the file already uses', () => {
    const data = aStore([maria]);
    const p = plan(data, [aRow({ email: email('a@example.it'), channel: 'email' }), aRow({ id: 'sub_2', email: email('b@example.it'), channel: 'email' })]);
    const ids = ['sub_maria', 'sub_2', 'sub_3'];
    applyImportPlan(data, p, () => ids.shift() as SubscriberId, OPTIONS);
    expect(data.subscribers.map((s) => s.id)).toEqual(['sub_maria', 'sub_3', 'sub_2']);
  });

  it('refuses to plan when a topic the rows use has left the store', () => {
    const data = aStore();
    data.topics = data.topics.filter((t) => t.id !== 'cantieri');
    expect(() => plan(data, [aRow({ email: email('a@example.it') })])).toThrow(/topic cantieri was removed while the file was read/);
  });

  it('keeps the counts adding up to the rows read', () => {
    const data = aStore([{ ...maria, status: 'unsubscribed' }]);
    const rows = [
      aRow({ phone: phone('+393331234567') }),
      aRow({ email: email('x@example.it') }),
      aRow({ email: email('x@example.it'), topics: ['scuola'] }),
    ];
    const builder = new ImportBatchBuilder();
    for (const row of rows) builder.add({ ok: true, row });
    builder.add({ ok: false, rejected: { line: 99, errors: [{ line: 99, column: 'Email', value: 'x', reason: 'bad' }] } });
    const r = importReport(planImport(data, builder.build([]), OPTIONS));
    expect(r).toMatchObject({ read: 4, inserted: 1, blocked: 1, duplicates: 1, rejected: 1 });
    expect(r.read).toBe(r.inserted + r.updated + r.unchanged + r.duplicates + r.blocked + r.rejected);
  });
});
