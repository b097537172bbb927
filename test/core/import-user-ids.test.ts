import { describe, expect, it } from 'vitest';
import { ImportBatchBuilder } from '../../src/core/import/batch.js';
import { applyImportPlan, importReport, planImport, type ImportPlanOptions } from '../../src/core/import/plan.js';
import type { ImportRow } from '../../src/core/import/row.js';
import type { E164 } from '../../src/core/phone.js';
import type { StoreData } from '../../src/core/store-data.js';
import { checkSubscriberDraft } from '../../src/core/subscriber-input.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import { DEFAULT_TOPICS, type TopicId } from '../../src/core/topic.js';
import { aStore, aSubscriber } from '../support/builders.js';

const NOW = '2026-11-28T09:00:00.000Z';
const OPTIONS: ImportPlanOptions = { mode: 'upsert', allowResubscribe: false, now: NOW, source: 'import:iscritti.csv#0123456789ab' };
const USER_ID = 'US.13491208655302741918';
const phone = '+393331234567' as E164;

let line = 1;
function aRow(overrides: Partial<ImportRow> = {}): ImportRow {
  line++;
  return { line, topics: ['cantieri'] as TopicId[], channel: 'whatsapp', attributes: {}, ...overrides };
}

function plan(data: StoreData, rows: ImportRow[]) {
  const builder = new ImportBatchBuilder();
  for (const row of rows) builder.add({ ok: true, row });
  return planImport(data, builder.build([]), OPTIONS);
}

describe('a WhatsApp user id in a subscriber draft', () => {
  const context = { country: 'IT', topics: DEFAULT_TOPICS };

  it('is a contact of its own: a citizen with only a user id prefers WhatsApp', () => {
    expect(checkSubscriberDraft({ whatsappUserId: ` ${USER_ID} `, topics: ['cantieri'] }, context)).toEqual({
      ok: true,
      value: { whatsappUserId: USER_ID, topics: ['cantieri'], channel: 'whatsapp', attributes: {} },
    });
    expect(checkSubscriberDraft({ whatsappUserId: USER_ID, topics: ['cantieri'], channel: 'whatsapp' }, context).ok).toBe(true);
  });

  it.each([
    ['a number written as a user id', '+393331234567'],
    ['a control character', 'US.1\u00072'],
    ['more than 256 characters', `US.${'1'.repeat(300)}`],
  ])('is refused with %s, by field', (_, whatsappUserId) => {
    const checked = checkSubscriberDraft({ whatsappUserId, topics: ['cantieri'] }, context);
    expect(checked.ok ? [] : checked.problems.map((p) => p.field)).toContain('whatsappUserId');
  });
});

describe('an import never gives two subscribers one user id', () => {
  it('creates a subscriber known by user id alone, and fills the user id of one matched by number', () => {
    const data = aStore([aSubscriber({ id: 'sub_p' as SubscriberId, phone })]);
    const p = plan(data, [aRow({ whatsappUserId: USER_ID }), aRow({ phone, whatsappUserId: 'US.2' })]);
    expect(importReport(p)).toMatchObject({ inserted: 1, updated: 1, rejected: 0 });
    applyImportPlan(data, p, () => 'sub_new' as SubscriberId, OPTIONS);
    expect(data.subscribers.map((s) => [s.id, s.phone, s.whatsappUserId])).toEqual([
      ['sub_p', phone, 'US.2'],
      ['sub_new', undefined, USER_ID],
    ]);
  });

  it('leaves a matched subscriber that has the same user id as it is', () => {
    const data = aStore([aSubscriber({ phone, whatsappUserId: USER_ID })]);
    expect(importReport(plan(data, [aRow({ phone, whatsappUserId: USER_ID })]))).toMatchObject({ unchanged: 1, rejected: 0 });
  });

  it('rejects a row whose user id another stored subscriber has, naming them', () => {
    // the user id came with ISCRIVI from a username (sub_u); the file has the same citizen by number
    const data = aStore([aSubscriber({ id: 'sub_u' as SubscriberId, phone: undefined, whatsappUserId: USER_ID } as never), aSubscriber({ id: 'sub_p' as SubscriberId, phone })]);
    const row = aRow({ phone, whatsappUserId: USER_ID });
    const report = importReport(plan(data, [row, aRow({ phone: '+393339999999' as E164, whatsappUserId: USER_ID })]));
    expect(report).toMatchObject({ inserted: 0, updated: 0, rejected: 2, conflicts: 2 });
    expect(report.errors[0]).toMatchObject({ line: row.line, reason: expect.stringContaining(`the WhatsApp user id ${USER_ID} is subscriber sub_u's`) });
  });

  it('rejects the second of two rows (two citizens) with one user id, pointing at the first', () => {
    const first = aRow({ phone, whatsappUserId: USER_ID });
    const second = aRow({ phone: '+393339999999' as E164, whatsappUserId: USER_ID });
    const report = importReport(plan(aStore(), [first, second]));
    expect(report).toMatchObject({ inserted: 1, rejected: 1 });
    expect(report.errors).toEqual([expect.objectContaining({ line: second.line, reason: expect.stringContaining(`is also on line ${first.line}`) })]);
  });
});
