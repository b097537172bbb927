import { describe, expect, it } from 'vitest';
import { addTopic, removeTopic, renameTopic } from '../../src/core/topic-catalogue.js';
import { findTopic, parseTopicId, resolveTopics, slugify, splitTopicList, DEFAULT_TOPICS, type TopicId } from '../../src/core/topic.js';
import { aStore, aSubscriber } from '../support/builders.js';

const now = '2026-11-28T09:00:00.000Z';

describe('topic names', () => {
  it.each([
    ['Raccolta differenziata', 'raccolta-differenziata'],
    ['  Mobilità  ', 'mobilita'],
    ['SCUOLA!', 'scuola'],
    ['Verde & parchi', 'verde-parchi'],
  ])('slugify(%j) = %s', (text, slug) => {
    expect(slugify(text)).toBe(slug);
  });

  it.each([['raccolta-differenziata'], ['RACCOLTA DIFFERENZIATA'], ['Raccolta Differenziata'], ['raccolta_differenziata']])('finds %j', (name) => {
    expect(findTopic(DEFAULT_TOPICS, name)?.id).toBe('raccolta-differenziata');
  });

  it('finds a topic by its label with accents', () => {
    expect(findTopic(DEFAULT_TOPICS, 'Mobilità')?.id).toBe('mobilita');
  });

  it('names every unknown topic at once', () => {
    expect(() => resolveTopics(DEFAULT_TOPICS, ['scuola', 'sport', 'musica'])).toThrow(/unknown topic "sport", "musica"/);
  });

  it('splits lists on , ; and |', () => {
    expect(splitTopicList('scuola, cantieri;eventi | mobilita,,')).toEqual(['scuola', 'cantieri', 'eventi', 'mobilita']);
  });

  it.each([['Verde'], ['verde pubblico'], ['-x'], ['a'.repeat(41)]])('refuses the id %j with a hint', (id) => {
    expect(() => parseTopicId(id)).toThrow(/is not a valid topic id/);
  });
});

describe('the catalogue', () => {
  it('adds a topic and refuses the same id or label twice', () => {
    const data = aStore();
    addTopic(data, { id: 'verde' as TopicId, label: 'Verde pubblico' });
    expect(() => addTopic(data, { id: 'verde' as TopicId, label: 'Altro' })).toThrow(/already exists/);
    expect(() => addTopic(data, { id: 'parchi' as TopicId, label: 'verde PUBBLICO' })).toThrow(/already has the label/);
    expect(data.topics.map((t) => t.id)).toContain('verde');
  });

  it('renames a topic but keeps its id', () => {
    const data = aStore();
    expect(renameTopic(data, 'mobilita' as TopicId, 'Mobilità e trasporti')).toMatchObject({ id: 'mobilita', label: 'Mobilità e trasporti' });
    expect(() => renameTopic(data, 'nessuno' as TopicId, 'X')).toThrow(/there is no topic "nessuno"/);
  });

  it('refuses to remove a followed topic without force', () => {
    const data = aStore([aSubscriber({ topics: ['eventi'] }), aSubscriber({ topics: ['scuola'] })]);
    expect(() => removeTopic(data, 'eventi' as TopicId, { force: false, now })).toThrow(
      '1 subscriber follows topic "eventi" — to remove it from them too, run: canale topics remove eventi --force',
    );
    expect(data.topics.some((t) => t.id === 'eventi')).toBe(true);
  });

  it('with force, takes the topic off its followers and their opt-out lists', () => {
    const follower = aSubscriber({ topics: ['eventi', 'scuola'] });
    const leaver = aSubscriber({ topics: ['scuola'], optedOutTopics: ['eventi' as TopicId] });
    const data = aStore([follower, leaver, aSubscriber({ topics: ['scuola'] })]);
    expect(removeTopic(data, 'eventi' as TopicId, { force: true, now })).toBe(2);
    expect(data.subscribers.map((s) => [s.topics, s.optedOutTopics])).toEqual([[['scuola'], undefined], [['scuola'], undefined], [['scuola'], undefined]]);
    expect(data.topics.some((t) => t.id === 'eventi')).toBe(false);
  });
});
