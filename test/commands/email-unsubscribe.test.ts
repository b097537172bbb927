import { describe, expect, it } from 'vitest';
import { unsubscribeLinks } from '../../src/adapters/unsubscribe-links.js';
import { emailUnsubscribe } from '../../src/commands/webhook/email-unsubscribe.js';
import type { UnsubscribeRecord } from '../../src/core/ports.js';
import { aStore, aSubscriber } from '../support/builders.js';
import { FakeClock } from '../support/fake-deps.js';
import { memoryStore } from './applier-harness.js';

const clock = new FakeClock();
const links = unsubscribeLinks('https://avvisi.comune.example.it', 'segreto', clock, 30);
const tokenOf = (id: string, topic?: string) => (links.urlFor(id, topic) ?? '').split('/u/')[1] ?? '';
const now = () => '2026-11-28T10:00:00.000Z';

/** The event log, as the handler sees it: what it recorded. */
function eventLog(): { lines: Array<{ at: string; target: UnsubscribeRecord }>; record: (at: string, target: UnsubscribeRecord) => Promise<void> } {
  const lines: Array<{ at: string; target: UnsubscribeRecord }> = [];
  return { lines, record: async (at, target) => void lines.push({ at, target }) };
}

describe('e-mail unsubscribe links (GET /u/TOKEN, POST /u/TOKEN)', () => {
  it('GET shows a page in Italian and changes nothing (mail scanners open links)', async () => {
    const citizen = aSubscriber({ topics: ['cantieri'] });
    const store = memoryStore(aStore([citizen]));
    const log = eventLog();
    const answer = await emailUnsubscribe(store, links, 'Comune di Esempio', now, log.record)(tokenOf(citizen.id, 'cantieri'), 'GET', new URLSearchParams());
    expect(answer.status).toBe(200);
    expect(answer.html).toMatch(/<html lang="it">/);
    expect(answer.html).toContain('«Cantieri»');
    expect(answer.html).toMatch(/<form method="post">/);
    expect(answer.html).not.toMatch(/<script/);
    expect(store.writes).toBe(0);
    expect(log.lines).toEqual([]);
  });

  it('one-click POST (RFC 8058) records the link\'s topic in the event log, answers with the page, and writes no store', async () => {
    const citizen = aSubscriber({ topics: ['cantieri', 'scuola'] });
    const store = memoryStore(aStore([citizen]));
    const log = eventLog();
    const answer = await emailUnsubscribe(store, links, 'Comune', now, log.record)(tokenOf(citizen.id, 'cantieri'), 'POST', new URLSearchParams('List-Unsubscribe=One-Click'));
    expect(answer).toMatchObject({ status: 200, summary: 'unsubscribe topic one-click: recorded' });
    expect(answer.html).toContain('«Cantieri»');
    expect(log.lines).toEqual([{ at: now(), target: { subscriberId: citizen.id, topic: 'cantieri', source: 'email:one-click' } }]);
    expect(store.writes).toBe(0);
  });

  it('the page\'s "everything" choice, or a link without a topic, records an unsubscribe from everything', async () => {
    const a = aSubscriber();
    const b = aSubscriber();
    const log = eventLog();
    const handle = emailUnsubscribe(memoryStore(aStore([a, b])), links, 'Comune', now, log.record);
    await handle(tokenOf(a.id, 'cantieri'), 'POST', new URLSearchParams('scope=all'));
    await handle(tokenOf(b.id), 'POST', new URLSearchParams());
    expect(log.lines.map((l) => l.target)).toEqual([
      { subscriberId: a.id, source: 'email:link' },
      { subscriberId: b.id, source: 'email:link' },
    ]);
  });

  it.each([
    ['a tampered payload', (t: string) => `${Buffer.from('sub_other|cantieri').toString('base64url')}.${t.split('.')[1] ?? ''}`],
    ['a tampered signature', (t: string) => `${t.slice(0, -2)}AA`],
    ['a token of another city (another secret)', () => (unsubscribeLinks('https://x.example', 'altro', clock).urlFor('sub_x', undefined) ?? '').split('/u/')[1] ?? ''],
    ['no signature', (t: string) => t.split('.')[0] ?? ''],
  ])('%s → 403 and nothing changes', async (_what, tamper) => {
    const citizen = aSubscriber();
    const store = memoryStore(aStore([citizen]));
    const log = eventLog();
    const answer = await emailUnsubscribe(store, links, 'Comune', now, log.record)(tamper(tokenOf(citizen.id, 'cantieri')), 'POST', new URLSearchParams('List-Unsubscribe=One-Click'));
    expect(answer.status).toBe(403);
    expect(store.writes).toBe(0);
    expect(log.lines).toEqual([]);
  });

  it.each(['GET', 'POST'] as const)('%s with a link older than unsubscribe.tokenDays → 410, a page saying so, and nothing changes', async (method) => {
    const citizen = aSubscriber();
    const store = memoryStore(aStore([citizen]));
    const old = new FakeClock();
    const token = (unsubscribeLinks('https://avvisi.comune.example.it', 'segreto', old).urlFor(citizen.id, undefined) ?? '').split('/u/')[1] ?? '';
    old.advance(31 * 86_400_000);
    const later = unsubscribeLinks('https://avvisi.comune.example.it', 'segreto', old, 30);
    const log = eventLog();
    const answer = await emailUnsubscribe(store, later, 'Comune', now, log.record)(token, method, new URLSearchParams('List-Unsubscribe=One-Click'));
    expect(answer).toMatchObject({ status: 410, summary: 'token expired' });
    expect(answer.html).toContain('Link scaduto');
    expect(store.writes).toBe(0);
    expect(log.lines).toEqual([]);
  });
});
