import { describe, expect, it } from 'vitest';
import { requestOfSchedule } from '../../src/commands/schedule/schedule-request.js';
import { unsubscribeVerdict } from '../../src/sending/unsubscribe-check.js';
import type { Schedule } from '../../src/core/schedule/schedule.js';

const links = { publicUrl: 'https://avvisi.comune.example.it', unsubscribeSecret: 'segreto' };

describe('unsubscribeVerdict', () => {
  it.each([
    ['https links', links, 10, 'smtp', false, undefined],
    ['nobody by e-mail', { publicUrl: undefined, unsubscribeSecret: undefined }, 0, 'smtp', false, undefined],
    ['the outbox (nothing reaches a citizen)', { publicUrl: undefined, unsubscribeSecret: undefined }, 10, 'outbox', false, undefined],
    ['no links, allowed', { publicUrl: undefined, unsubscribeSecret: 'segreto' }, 10, 'smtp', true, undefined],
    ['no public URL', { publicUrl: undefined, unsubscribeSecret: 'segreto' }, 10, 'smtp', false, { refuse: expect.stringMatching(/^10 e-mail recipient\(s\) would get no unsubscribe link: publicUrl is not set, .* or add --allow-no-unsubscribe to send without; nothing was sent$/) }],
    ['neither', { publicUrl: '', unsubscribeSecret: undefined }, 3, 'smtp', false, { refuse: expect.stringContaining('publicUrl and unsubscribeSecret are not set') }],
    ['http', { ...links, publicUrl: 'http://avvisi.comune.example.it' }, 10, 'smtp', true, { refuse: expect.stringMatching(/^publicUrl http:\/\/avvisi\.comune\.example\.it is not https: one-click unsubscribe \(RFC 8058\) needs an https link/) }],
    ['http on 127.0.0.1 (the sandbox)', { ...links, publicUrl: 'http://127.0.0.1:8080' }, 10, 'smtp', false, { warn: expect.stringContaining('publicUrl http://127.0.0.1:8080 is local and not https') }],
    ['http on localhost', { ...links, publicUrl: 'http://localhost:8080/canale' }, 10, 'smtp', false, { warn: expect.any(String) }],
    ['http on ::1', { ...links, publicUrl: 'http://[::1]:8080' }, 10, 'smtp', false, { warn: expect.any(String) }],
  ])('%s', (_label, settings, recipients, transport, allowed, verdict) => {
    expect(unsubscribeVerdict(settings, recipients, transport, allowed)).toEqual(verdict);
  });
});

describe('a schedule added with --allow-no-unsubscribe', () => {
  it('sends with it when it fires; one added before the flag existed sends without it', () => {
    const schedule = { id: 'sch_1', message: { source: 'a.md', topics: ['cantieri'], subject: 'S', body: 'B' }, query: { topics: ['cantieri'], where: [], channel: 'preferred' } } as unknown as Schedule;
    const send = { concurrency: 20, urgent: false, split: false, allowFreeText: false };
    expect(requestOfSchedule({ ...schedule, send: { ...send, allowNoUnsubscribe: true } })).toMatchObject({ allowNoUnsubscribe: true });
    expect(requestOfSchedule({ ...schedule, send })).not.toHaveProperty('allowNoUnsubscribe');
  });
});
