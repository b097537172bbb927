import { describe, expect, it } from 'vitest';
import { closestName } from '../../src/core/closest-name.js';
import { DEFAULT_TOPICS, describeUnknownTopics } from '../../src/core/topic.js';

const IDS = DEFAULT_TOPICS.map((t) => t.id);

describe('closestName', () => {
  it.each([
    ['cantiere', 'cantieri'],
    ['cnatieri', 'cantieri'],
    ['scuole', 'scuola'],
    ['mobilità', 'mobilita'],
    ['mobilta', 'mobilita'],
    ['raccolta', 'raccolta-differenziata'],
    ['emergenza', 'emergenze'],
    ['giardini', undefined],
    ['x', undefined],
    ['', undefined],
  ])('%j → %j', (typed, meant) => {
    expect(closestName(typed, IDS)).toBe(meant);
  });
});

describe('describeUnknownTopics', () => {
  it('names each unknown topic as typed, what it likely meant, the known ones and how to list them', () => {
    expect(describeUnknownTopics(DEFAULT_TOPICS, ['Cantiere', 'giardini'])).toBe(
      'unknown topic "Cantiere" (did you mean "cantieri"?), "giardini" — known topics: scuola, cantieri, raccolta-differenziata, mobilita, eventi, sociale, emergenze; see them with: canale topics list',
    );
  });
});
