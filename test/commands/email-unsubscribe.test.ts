import { describe, expect, it } from 'vitest';
import { unsubscribeLinks } from '../../src/adapters/unsubscribe-links.js';
import { emailUnsubscribe, type PageRecorder } from '../../src/commands/webhook/email-unsubscribe.js';
import type { PreferencesRecord, UnsubscribeRecord } from '../../src/core/ports.js';
import { DEFAULT_TOPICS, type TopicId } from '../../src/core/topic.js';
import { aStore, aSubscriber } from '../support/builders.js';
import { FakeClock } from '../support/fake-deps.js';
import { memoryStore } from './applier-harness.js';

const clock = new FakeClock();
const links = unsubscribeLinks('https://avvisi.comune.example.it', 'segreto', clock, 30);
const tokenOf = (id: string, topic?: string) => (links.urlFor(id, topic) ?? '').split('/u/')[1] ?? '';
const now = () => '2026-11-28T10:00:00.000Z';

/** The event log, as the handler sees it: what it recorded (and, for a choice, the topics told to running sends). */
function eventLog(): { lines: Array<{ at: string; target?: UnsubscribeRecord; choice?: PreferencesRecord; left?: readonly string[] }>; recorder: PageRecorder } {
  const lines: Array<{ at: string; target?: UnsubscribeRecord; choice?: PreferencesRecord; left?: readonly string[] }> = [];
  return { lines, recorder: { unsubscribe: async (at, target) => void lines.push({ at, target }), preferences: async (at, choice, left) => void lines.push({ at, choice, left }) } };
}

describe('e-mail unsubscribe links (GET /u/TOKEN, POST /u/TOKEN)', () => {
  it('GET shows the preference page in Italian and changes nothing (mail scanners open links)', async () => {
    const citizen = aSubscriber({ topics: ['cantieri'] });
    const store = memoryStore(aStore([citizen]));
    const log = eventLog();
    const answer = await emailUnsubscribe(store, links, 'Comune di Esempio', now, log.recorder)(tokenOf(citizen.id, 'cantieri'), 'GET', new URLSearchParams());
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
    const answer = await emailUnsubscribe(store, links, 'Comune', now, log.recorder)(tokenOf(citizen.id, 'cantieri'), 'POST', new URLSearchParams('List-Unsubscribe=One-Click'));
    expect(answer).toMatchObject({ status: 200, summary: 'unsubscribe topic one-click: recorded' });
    expect(answer.html).toContain('«Cantieri»');
    expect(log.lines).toEqual([{ at: now(), target: { subscriberId: citizen.id, topic: 'cantieri', source: 'email:one-click' } }]);
    expect(store.writes).toBe(0);
  });

  it('the page\'s "everything" choice, or a link without a topic, records an unsubscribe from everything', async () => {
    const a = aSubscriber();
    const b = aSubscriber();
    const log = eventLog();
    const handle = emailUnsubscribe(memoryStore(aStore([a, b])), links, 'Comune', now, log.recorder);
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
  ])('%s → 403 and nothing changes (one-click, a saved choice, leaving everything)', async (_what, tamper) => {
    const citizen = aSubscriber();
    const store = memoryStore(aStore([citizen]));
    const log = eventLog();
    const handle = emailUnsubscribe(store, links, 'Comune', now, log.recorder);
    for (const body of ['List-Unsubscribe=One-Click', 'action=save&topic=scuola', 'action=leave']) {
      expect((await handle(tamper(tokenOf(citizen.id, 'cantieri')), 'POST', new URLSearchParams(body))).status).toBe(403);
    }
    expect((await handle(tamper(tokenOf(citizen.id, 'cantieri')), 'GET', new URLSearchParams())).status).toBe(403);
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
    const answer = await emailUnsubscribe(store, later, 'Comune', now, log.recorder)(token, method, new URLSearchParams('List-Unsubscribe=One-Click'));
    expect(answer).toMatchObject({ status: 410, summary: 'token expired' });
    expect(answer.html).toContain('Link scaduto');
    expect((await emailUnsubscribe(store, later, 'Comune', now, log.recorder)(token, method, new URLSearchParams('action=save&topic=scuola'))).status).toBe(410);
    expect(store.writes).toBe(0);
    expect(log.lines).toEqual([]);
  });

  it('the preference page: every topic of the catalogue, the followed ones ticked, save and leave, the link\'s topic named; no contact of the citizen', async () => {
    const citizen = aSubscriber({ name: 'Maria Rossi', topics: ['cantieri', 'scuola'] });
    const answer = await emailUnsubscribe(memoryStore(aStore([citizen])), links, 'Comune di Esempio', now, eventLog().recorder)(tokenOf(citizen.id, 'cantieri'), 'GET', new URLSearchParams());
    const boxes = [...answer.html.matchAll(/<input type="checkbox" id="[^"]+" name="topic" value="([^"]+)"( checked)?>/g)].map((m) => [m[1], m[2] !== undefined]);
    expect(boxes).toEqual(DEFAULT_TOPICS.map((t) => [t.id, t.id === 'cantieri' || t.id === 'scuola']));
    expect(answer.html).toMatch(/<fieldset><legend>Argomenti che vuoi ricevere<\/legend>/);
    expect(answer.html).toContain('<button type="submit" name="action" value="save">Salva le preferenze</button>');
    expect(answer.html).toMatch(/<button type="submit" name="action" value="leave"[^>]*>Annulla l’iscrizione a tutto<\/button>/);
    expect(answer.html).toContain('un messaggio su «Cantieri»');
    for (const personal of [citizen.name, citizen.phone, citizen.email, citizen.id]) expect(answer.html).not.toContain(personal);
  });

  it('a citizen who left everything sees no topic ticked and no leave button; a label with markup is escaped', async () => {
    const citizen = aSubscriber({ status: 'unsubscribed', topics: ['cantieri'] });
    const data = aStore([citizen]);
    data.topics = [...data.topics, { id: 'x' as TopicId, label: '<script>alert(1)</script> & "co"' }];
    const answer = await emailUnsubscribe(memoryStore(data), links, 'Comune <b>', now, eventLog().recorder)(tokenOf(citizen.id, 'cantieri'), 'GET', new URLSearchParams());
    expect(answer.html).not.toContain(' checked');
    expect(answer.html).not.toContain('value="leave"');
    expect(answer.html).toContain('Al momento non ricevi nessun messaggio');
    expect(answer.html).not.toContain('Questo link è arrivato');
    expect(answer.html).not.toMatch(/<script|<b>/);
    expect(answer.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;');
  });

  it('POST action=save records the catalogue topics ticked (unknown ids and repeats dropped) and tells running sends the others; the answer lists them', async () => {
    const citizen = aSubscriber({ topics: ['cantieri'] });
    const store = memoryStore(aStore([citizen]));
    const log = eventLog();
    const answer = await emailUnsubscribe(store, links, 'Comune', now, log.recorder)(tokenOf(citizen.id, 'cantieri'), 'POST', new URLSearchParams('action=save&topic=scuola&topic=eventi&topic=scuola&topic=inventato'));
    expect(answer).toMatchObject({ status: 200, summary: 'preferences 2/7 topics: recorded' });
    expect(answer.html).toContain('Preferenze salvate');
    expect(answer.html).toContain('<li>Scuola</li>\n<li>Eventi</li>');
    expect(log.lines).toEqual([
      { at: now(), choice: { subscriberId: citizen.id, topics: ['scuola', 'eventi'], source: 'email:preferences' }, left: DEFAULT_TOPICS.map((t) => t.id).filter((t) => t !== 'scuola' && t !== 'eventi') },
    ]);
    expect(store.writes).toBe(0);
  });

  it.each([
    ['action=leave', 'action=leave'],
    ['action=save with nothing ticked', 'action=save'],
    ['action=save with only ids the catalogue lacks', 'action=save&topic=inventato'],
  ])('POST %s leaves everything, from the link (email:link)', async (_what, body) => {
    const citizen = aSubscriber({ topics: ['cantieri'] });
    const log = eventLog();
    const answer = await emailUnsubscribe(memoryStore(aStore([citizen])), links, 'Comune', now, log.recorder)(tokenOf(citizen.id, 'cantieri'), 'POST', new URLSearchParams(body));
    expect(answer).toMatchObject({ status: 200, summary: 'unsubscribe all: recorded' });
    expect(answer.html).toContain('Iscrizione annullata');
    expect(log.lines).toEqual([{ at: now(), target: { subscriberId: citizen.id, source: 'email:link' } }]);
  });
});
