import { describe, expect, it } from 'vitest';
import type { E164 } from '../../../src/core/phone.js';
import { signupLink, signupTopic } from '../../../src/core/signup/signup-link.js';
import { DEFAULT_TOPICS } from '../../../src/core/topic.js';

const NUMBER = '+390612345678' as E164;
const cantieri = DEFAULT_TOPICS.find((t) => t.id === 'cantieri');

describe('signupLink', () => {
  it('without a topic fills in ISCRIVI alone: the answer lists the topics', () => {
    expect(signupLink(NUMBER)).toEqual({ url: 'https://wa.me/390612345678?text=ISCRIVI', text: 'ISCRIVI', number: NUMBER });
  });
  it("with a topic fills in the topic's id, which the reply handler reads whatever its label", () => {
    const raccolta = signupTopic(DEFAULT_TOPICS, 'Raccolta differenziata');
    expect(signupLink(NUMBER, cantieri)).toMatchObject({ url: 'https://wa.me/390612345678?text=ISCRIVI%20cantieri', text: 'ISCRIVI cantieri', topic: cantieri });
    expect(signupLink(NUMBER, raccolta).url).toBe('https://wa.me/390612345678?text=ISCRIVI%20raccolta-differenziata');
  });
});

describe('signupTopic', () => {
  it.each(['cantieri', 'Cantieri', 'CANTIERI'])('finds %s by id or label', (name) => {
    expect(signupTopic(DEFAULT_TOPICS, name)).toBe(cantieri);
  });
  it('refuses an unknown topic naming it and the closest known one', () => {
    expect(() => signupTopic(DEFAULT_TOPICS, 'cantiere')).toThrow(
      expect.objectContaining({ code: 'TOPIC_UNKNOWN', message: expect.stringMatching(/^--topic: unknown topic "cantiere" \(did you mean "cantieri"\?\) — known topics: scuola, cantieri/) }),
    );
  });
});
