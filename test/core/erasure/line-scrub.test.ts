import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inboundPayload, statusPayload } from '../../../src/adapters/sandbox/status-webhooks.js';
import { erasureTarget, scrubEventLine, scrubJournalLine, scrubIdLine } from '../../../src/core/erasure/line-scrub.js';
import { aSubscriber } from '../../support/builders.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ids = { wabaId: '1', phoneNumberId: '2', displayNumber: '390000000000' };
const ornella = aSubscriber({ phone: '+393477654321' as never, email: 'ornella@example.it' as never, name: 'Ornella Zappacosta' });
const target = erasureTarget(ornella);
const at = new Date('2026-11-28T09:00:00Z');

function scrubbed(line: string, scrub: (bytes: Uint8Array) => boolean): { changed: boolean; text: string } {
  const bytes = encoder.encode(line);
  const changed = scrub(bytes);
  const text = decoder.decode(bytes);
  expect(text.length).toBe(line.length);
  return { changed, text };
}

describe('scrubEventLine', () => {
  it("blanks everything about the person in their message but its structure; the city's own ids stay", () => {
    const payload = inboundPayload({ wamid: 'wamid.THEIRS', from: '393477654321', at, name: 'Ornella Zappacosta', text: 'ARGOMENTI' }, ids);
    const { changed, text } = scrubbed(JSON.stringify({ at: at.toISOString(), payload }), (b) => scrubEventLine(b, target));
    expect(changed).toBe(true);
    for (const gone of ['393477654321', 'wamid.THEIRS', 'Ornella', 'ARGOMENTI']) expect(text).not.toContain(gone);
    const value = (JSON.parse(text) as { payload: ReturnType<typeof inboundPayload> & { entry: Array<{ id: string; changes: Array<{ value: { messages: Array<Record<string, unknown>>; metadata: Record<string, string> } }> }> } }).payload.entry[0]?.changes[0]?.value;
    expect(value?.messages[0]).toMatchObject({ type: 'text', timestamp: String(at.getTime() / 1000) });
    expect(value?.metadata).toEqual({ display_phone_number: '390000000000', phone_number_id: '2' });
  });

  it("leaves a neighbour's status as it was, and blanks theirs in the same payload", () => {
    const one = statusPayload({ wamid: 'wamid.THEIRS', status: 'read', recipient: '393477654321', at, callbackData: 'cmp_a' }, ids) as { entry: Array<{ changes: Array<{ value: { statuses: unknown[] } }> }> };
    const other = statusPayload({ wamid: 'wamid.NEIGHBOUR', status: 'read', recipient: '393481112222', at, callbackData: 'cmp_a' }, ids) as typeof one;
    one.entry[0]?.changes[0]?.value.statuses.push(...(other.entry[0]?.changes[0]?.value.statuses ?? []));
    const { text } = scrubbed(JSON.stringify({ at: at.toISOString(), payload: one }), (b) => scrubEventLine(b, target));
    expect(text).not.toContain('wamid.THEIRS');
    expect(text).toContain('wamid.NEIGHBOUR');
    expect(text).toContain('393481112222');
    expect(text.match(/"biz_opaque_callback_data":"cmp_a"/g)).toHaveLength(2);
  });

  it('a line that is not JSON loses the contacts only; one without them is untouched', () => {
    expect(scrubbed('{"at":"x","payload":{"from":"393477654321"', (b) => scrubEventLine(b, target)).text).toBe('{"at":"x","payload":{"from":"************"');
    expect(scrubbed('{"at":"x","payload":{}}', (b) => scrubEventLine(b, target)).changed).toBe(false);
  });
});

describe('scrubEventLine for WhatsApp user ids and earlier numbers', () => {
  const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/webhooks/${name}.json`, import.meta.url), 'utf8')) as unknown;
  const line = (payload: unknown): string => JSON.stringify({ at: at.toISOString(), payload });

  it('blanks the message and contact of a citizen known by user id only (from_user_id, contacts[].user_id)', () => {
    const sheena = erasureTarget({ phone: undefined, whatsappUserId: 'US.13491208655302741918' } as never);
    const { changed, text } = scrubbed(line(fixture('bsuid-message-user-id-only')), (b) => scrubEventLine(b, sheena));
    expect(changed).toBe(true);
    for (const gone of ['US.13491208655302741918', 'Sheena', 'STOP', 'wamid.']) expect(text).not.toContain(gone);
  });

  it('blanks a status by recipient_user_id', () => {
    const sheena = erasureTarget({ whatsappUserId: 'US.13491208655302741918' });
    const { text } = scrubbed(line(fixture('bsuid-status')), (b) => scrubEventLine(b, sheena));
    expect(text).not.toContain('wamid.');
    expect(text).toContain('"biz_opaque_callback_data":"cmp_0001"');
  });

  it('blanks what was written under the number and user id they had before an identity change', () => {
    const sheena = erasureTarget({
      phone: '+12195555358' as never,
      whatsappUserId: 'US.99887766554433221100',
      history: [
        { at: at.toISOString(), action: 'number-changed', source: 'whatsapp:wamid.1', previous: '+16505551234' },
        { at: at.toISOString(), action: 'user-id-changed', source: 'whatsapp:wamid.2', previous: 'US.13491208655302741918' },
      ],
    });
    for (const name of ['message-text', 'system-user-changed-number', 'system-user-changed-user-id']) {
      const { changed, text } = scrubbed(line(fixture(name)), (b) => scrubEventLine(b, sheena));
      expect(changed).toBe(true);
      for (const gone of ['16505551234', '12195555358', 'US.13491208655302741918', 'US.99887766554433221100', 'Sheena', 'wamid.']) expect(text).not.toContain(gone);
    }
  });
});

describe('scrubJournalLine', () => {
  const mine = new Set([3]);
  it.each([
    ['their sent record loses the message id', '{"i":3,"s":"sent","id":"wamid.ABC","at":"2026"}', false, '{"i":3,"s":"sent","id":"*********","at":"2026"}'],
    ['their failure keeps code and reason, loses the reply', '{"i":3,"s":"failed","code":"SMTP_550","kind":"recipient","reason":"r","detail":"550 no","at":"2026"}', false, '{"i":3,"s":"failed","code":"SMTP_550","kind":"recipient","reason":"r","detail":"******","at":"2026"}'],
    ["another's record naming their mailbox loses the mailbox", '{"i":4,"s":"failed","code":"C","kind":"recipient","reason":"<ornella@example.it> refused","at":"2026"}', true, '{"i":4,"s":"failed","code":"C","kind":"recipient","reason":"<******************> refused","at":"2026"}'],
    ['a torn line of theirs becomes blanks', '{"i":3,"s":"sent","id":"wam', false, ' '.repeat(27)],
    ['a torn line of unknown position becomes blanks', '{"s":"sent","id":"wam', false, ' '.repeat(21)],
  ])('%s', (_what, line, hasNeedle, expected) => {
    expect(scrubbed(line, (b) => scrubJournalLine(b, target, mine, hasNeedle)).text).toBe(expected);
  });

  it("leaves another recipient's records alone without parsing them", () => {
    for (const line of ['{"i":4,"s":"sent","id":"wamid.X","at":"2026"}', '{"i":4,"s":"sent","id":"wam']) {
      expect(scrubbed(line, (b) => scrubJournalLine(b, target, mine, false))).toEqual({ changed: false, text: line });
    }
  });
});

describe('scrubIdLine', () => {
  it("overwrites the id in an opt-out line, and not the topic", () => {
    expect(scrubbed(`{"at":"2026","sub":"${ornella.id}","topic":"cantieri"}`, (b) => scrubIdLine(b, ornella.id)).text).toMatch(/^\{"at":"2026","sub":"forgotten\**","topic":"cantieri"\}$/);
  });

  it("overwrites the person's id as forgotten…, and only theirs", () => {
    expect(scrubbed(`["${ornella.id}","whatsapp"]`, (b) => scrubIdLine(b, ornella.id)).text).toMatch(/^\["forgotten\**","whatsapp"\]$/);
    expect(scrubbed('["sub_other","email"]', (b) => scrubIdLine(b, ornella.id)).changed).toBe(false);
  });
});
