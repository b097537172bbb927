import { describe, expect, it } from 'vitest';
import { unsubscribeLinks } from '../../src/adapters/unsubscribe-links.js';

describe('unsubscribeLinks', () => {
  const links = unsubscribeLinks('https://canale.comune.example.it/', 'a-long-random-secret');

  it('makes a link that reads back to the subscriber and topic', () => {
    const url = links.urlFor('sub_7k3m9q2xaa', 'cantieri');
    expect(url).toMatch(/^https:\/\/canale\.comune\.example\.it\/u\/[\w-]+\.[\w-]{22}$/);
    const token = url?.split('/u/')[1] ?? '';
    expect(links.read(token)).toEqual({ subscriberId: 'sub_7k3m9q2xaa', topic: 'cantieri' });
    expect(links.read(links.urlFor('sub_x', undefined)?.split('/u/')[1] ?? '')).toEqual({ subscriberId: 'sub_x' });
  });

  it('refuses tokens that were tampered with or signed with another secret', () => {
    const token = links.urlFor('sub_a', 'scuola')?.split('/u/')[1] ?? '';
    const [payload, signature] = token.split('.');
    const forged = `${Buffer.from('sub_b|scuola').toString('base64url')}.${signature}`;
    expect(links.read(forged)).toBeUndefined();
    expect(links.read(`${payload}.${'A'.repeat(22)}`)).toBeUndefined();
    expect(unsubscribeLinks('https://x.example.it', 'other').read(token)).toBeUndefined();
    expect(links.read('garbage')).toBeUndefined();
    expect(links.read('')).toBeUndefined();
  });

  it('makes no link without a public URL or a secret', () => {
    expect(unsubscribeLinks(undefined, 's').urlFor('sub_a', undefined)).toBeUndefined();
    expect(unsubscribeLinks('https://x.example.it', '').urlFor('sub_a', undefined)).toBeUndefined();
  });
});
