import { describe, expect, it } from 'vitest';
import { ImportBatchBuilder } from '../../src/core/import/batch.js';
import { importReport, planImport, type ImportPlanOptions } from '../../src/core/import/plan.js';
import type { ImportRow } from '../../src/core/import/row.js';
import type { Email } from '../../src/core/email.js';
import { namesAgree } from '../../src/core/import/name-match.js';
import type { E164 } from '../../src/core/phone.js';
import type { StoreData } from '../../src/core/store-data.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import type { TopicId } from '../../src/core/topic.js';
import { aStore, aSubscriber } from '../support/builders.js';

const OPTIONS: ImportPlanOptions = { mode: 'upsert', allowResubscribe: false, now: '2026-11-28T09:00:00.000Z', source: 'import:x.csv#0123456789ab' };
const PHONE = '+393331234567' as E164;

function aRow(line: number, name: string | undefined, overrides: Partial<ImportRow> = {}): ImportRow {
  return { line, topics: ['cantieri'] as TopicId[], channel: 'whatsapp', attributes: {}, phone: PHONE, cells: [String(name), PHONE], ...(name === undefined ? {} : { name }), ...overrides };
}

function plan(data: StoreData, rows: ImportRow[], mode: ImportPlanOptions['mode'] = 'upsert') {
  const builder = new ImportBatchBuilder();
  for (const row of rows) builder.add({ ok: true, row });
  return planImport(data, builder.build([]), { ...OPTIONS, mode });
}

describe('names of one citizen', () => {
  it.each([
    ['Rossi Maria', 'maria rossi'],
    ['Maria', 'Rossi Maria'],
    ['Nicolò De Luca', 'de luca nicolo'],
    ['MARIA  ROSSI', 'Maria Rossi'],
    ['Maria', undefined],
    ['Anna Maria Rossi', 'Rossi Anna'],
  ])('%j and %j agree', (a, b) => {
    expect(namesAgree(a, b)).toBe(true);
    expect(namesAgree(b, a)).toBe(true);
  });

  it.each([
    ['Maria Rossi', 'Luigi Bianchi'],
    ['Maria', 'Mario'],
    ['Maria Rossi', 'Maria Bianchi'],
    ['Maria Maria', 'Maria Rossi'],
  ])('%j and %j are two people', (a, b) => {
    expect(namesAgree(a, b)).toBe(false);
  });
});

describe('two people with one contact in a file', () => {
  it('merges rows whose names agree, and counts them as duplicates', () => {
    const p = plan(aStore(), [aRow(2, 'Maria Rossi'), aRow(3, 'rossi maria'), aRow(4, undefined), aRow(5, 'Maria')]);
    expect(importReport(p)).toMatchObject({ inserted: 1, duplicates: 3, conflicts: 0, rejected: 0 });
  });

  it('rejects both rows, naming both lines and the shared contact, and keeps their cells', () => {
    const p = plan(aStore(), [aRow(2, 'Maria Rossi'), aRow(3, 'Anna Verdi', { phone: '+393339999999' as E164 }), aRow(4, 'Luigi Bianchi')]);
    const report = importReport(p);
    expect(report).toMatchObject({ read: 3, inserted: 1, duplicates: 0, conflicts: 2, rejected: 2 });
    const reason = 'lines 2, 4 have the same phone +393331234567 but name different people ("Maria Rossi", "Luigi Bianchi") — two people are never merged: correct the contact or the name of the line that is wrong, then import again';
    expect(report.errors).toEqual([
      { line: 2, column: null, value: PHONE, reason },
      { line: 4, column: null, value: PHONE, reason },
    ]);
    expect(p.rejected.map((r) => r.cells)).toEqual([['Maria Rossi', PHONE], ['Luigi Bianchi', PHONE]]);
    expect(p.inserts.map((r) => r.name)).toEqual(['Anna Verdi']);
  });

  it('rejects every row of the contact once it names two people, even one that agrees with the first', () => {
    const p = plan(aStore(), [aRow(2, 'Maria Rossi'), aRow(3, 'Maria'), aRow(4, 'Luigi Bianchi'), aRow(5, 'Maria Rossi')]);
    expect(importReport(p)).toMatchObject({ inserted: 0, duplicates: 0, conflicts: 4, rejected: 4 });
    expect(p.rejected.map((r) => r.line)).toEqual([2, 3, 4, 5]);
  });

  it('compares with the fullest name the rows gave, not only the first', () => {
    const p = plan(aStore(), [aRow(2, 'Maria'), aRow(3, 'Maria Rossi'), aRow(4, 'Maria Bianchi')]);
    expect(importReport(p)).toMatchObject({ inserted: 0, conflicts: 3 });
  });
});

describe('a row and the stored subscriber with its contact', () => {
  const stored = () => aStore([aSubscriber({ id: 'sub_1' as SubscriberId, name: 'Maria Rossi', phone: PHONE, topics: ['cantieri'] })]);

  it('is merged when the names agree', () => {
    expect(importReport(plan(stored(), [aRow(2, 'Rossi Maria', { topics: ['scuola'] as TopicId[] })]))).toMatchObject({ updated: 1, conflicts: 0 });
  });

  it.each(['upsert', 'insert'] as const)('is a conflict when it names someone else (--mode %s)', (mode) => {
    const p = plan(stored(), [aRow(2, 'Luigi Bianchi', { topics: ['scuola'] as TopicId[] })], mode);
    const report = importReport(p);
    expect(report).toMatchObject({ updated: 0, unchanged: 0, inserted: 0, conflicts: 1, rejected: 1 });
    expect(report.errors[0]).toMatchObject({
      line: 2,
      reason: 'the phone +393331234567 is subscriber sub_1\'s, "Maria Rossi", but this row names "Luigi Bianchi" — two people are never merged: correct the contact or the name, then import again',
    });
  });

  it('agrees with a subscriber who has no name, and fills it', () => {
    const data = aStore([aSubscriber({ id: 'sub_1' as SubscriberId, name: undefined, phone: PHONE, email: 'x@example.it' as Email })]);
    const p = plan(data, [aRow(2, 'Luigi Bianchi')]);
    expect(importReport(p)).toMatchObject({ updated: 1, conflicts: 0 });
    expect(p.updates[0]?.next.name).toBe('Luigi Bianchi');
  });
});
