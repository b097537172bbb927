import { describe, expect, it } from 'vitest';
import { cutToLimit } from '../../../src/core/interactive-limits.js';
import { toggleAnswer, topicMenu, topicPages } from '../../../src/core/replies/topic-menu.js';
import type { Topic, TopicId } from '../../../src/core/topic.js';

const topic = (i: number, label = `Argomento ${i}`, description?: string): Topic => ({ id: `t${i}` as TopicId, label, ...(description === undefined ? {} : { description }) });
const catalogue = (n: number) => Array.from({ length: n }, (_, i) => topic(i + 1));
const rowsOf = (list: ReturnType<typeof topicMenu>) => list.sections.flatMap((s) => s.rows);

describe('topicMenu: the topic list a citizen taps', () => {
  it.each([
    [1, [1]],
    [10, [10]],
    [11, [9, 2]],
    [15, [9, 6]],
    [19, [9, 10]],
    [20, [9, 9, 2]],
  ])('%i topics make pages of %j topics', (n, sizes) => {
    expect(topicPages(catalogue(n)).map((p) => p.length)).toEqual(sizes);
  });

  it('15 topics: page 1 has 9 topics and "Altri argomenti", page 2 the other 6; never more than 10 rows', () => {
    const first = topicMenu(catalogue(15), []);
    expect(rowsOf(first).map((r) => r.id)).toEqual([...Array.from({ length: 9 }, (_, i) => `topic:t${i + 1}`), 'page:2']);
    expect(rowsOf(first).at(-1)).toEqual({ id: 'page:2', title: 'Altri argomenti', description: 'Pagina 2 di 2' });
    expect(first.body).toContain('Pagina 1 di 2');
    const second = topicMenu(catalogue(15), [], 2);
    expect(rowsOf(second).map((r) => r.id)).toEqual(Array.from({ length: 6 }, (_, i) => `topic:t${i + 10}`));
    // a page past the end shows the last one
    expect(topicMenu(catalogue(15), [], 7)).toEqual(second);
    for (const list of [first, second]) expect(rowsOf(list).length).toBeLessThanOrEqual(10);
  });

  it('marks what the citizen follows, cuts labels at 24 and descriptions at 72 characters with an ellipsis, the button at 20', () => {
    const long = topic(1, 'Raccolta differenziata porta a porta', 'x'.repeat(100));
    const [row] = rowsOf(topicMenu([long, topic(2)], ['t1' as TopicId]));
    expect(row?.title).toBe('✓ Raccolta differenziat…');
    expect(row?.title.length).toBe(24);
    expect(row?.description).toBe(`${'x'.repeat(71)}…`);
    expect(rowsOf(topicMenu([long, topic(2)], []))[1]?.title).toBe('Argomento 2');
    expect(topicMenu([long], []).button.length).toBeLessThanOrEqual(20);
  });

  it('tells a stranger that a tap subscribes them, under which privacy notice; a subscriber only how to tap', () => {
    expect(topicMenu(catalogue(3), [], 1, { notice: { version: '2026-03', url: 'https://comune.example.it/privacy' } }).body).toMatch(/iscriverti.*versione 2026-03: https:\/\/comune\.example\.it\/privacy/);
    expect(topicMenu(catalogue(3), []).body).not.toMatch(/privacy/);
  });

  it('answers a tap with what the citizen now follows, and buttons for more topics and for stopping everything', () => {
    expect(toggleAnswer(catalogue(3), ['t1', 't3'] as TopicId[], 'Fatto.')).toEqual({
      kind: 'buttons',
      body: 'Fatto. Ora segui: Argomento 1, Argomento 3.',
      buttons: [{ id: 'page:1', title: 'Altri argomenti' }, { id: 'stop', title: 'Annulla tutto' }],
    });
    expect(toggleAnswer(catalogue(3), [], 'Fatto.')).toMatchObject({ body: 'Fatto. Ora non segui nessun argomento.', buttons: [{ id: 'page:1' }] });
  });
});

describe('cutToLimit', () => {
  it.each([
    ['Cantieri', 24, 'Cantieri'],
    ['abcdefghij', 5, 'abcd…'],
    // an emoji is two code units: the cut never splits it
    ['ab😀cd', 4, 'ab…'],
    ['abc 😀', 5, 'abc…'],
  ])('%j within %i is %j', (text, max, cut) => {
    expect(cutToLimit(text, max)).toBe(cut);
    expect(cutToLimit(text, max).length).toBeLessThanOrEqual(max);
  });
});
