import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UNDATED_TOKENS_UNTIL, unsubscribeLinks } from '../../src/adapters/unsubscribe-links.js';
import { FakeClock } from '../support/fake-deps.js';

const DAY = 86_400_000;
const SECRET = 'a-long-random-secret';
const clock = new FakeClock();
const links = unsubscribeLinks('https://canale.comune.example.it/', SECRET, clock);
const tokenOf = (url: string | undefined) => url?.split('/u/')[1] ?? '';

/** A token as canale made them before tokens carried their issue day. */
function undatedToken(text: string): string {
  const payload = Buffer.from(text).toString('base64url');
  const signature = createHmac('sha256', SECRET).update(`canale-unsubscribe:${payload}`).digest().subarray(0, 16).toString('base64url');
  return `${payload}.${signature}`;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The same bytes written differently: the last character with one of its unused low bits flipped. */
function withUnusedBitFlipped(part: string): string {
  const last = BASE64URL.indexOf(part.slice(-1));
  return `${part.slice(0, -1)}${BASE64URL[last ^ 1]}`;
}

describe('unsubscribeLinks', () => {
  it('makes a link that reads back to the subscriber and topic, and carries the day it was issued', () => {
    const url = links.urlFor('sub_7k3m9q2xaa', 'cantieri');
    expect(url).toMatch(/^https:\/\/canale\.comune\.example\.it\/u\/[\w-]+\.[\w-]{22}$/);
    const payload = Buffer.from(tokenOf(url).split('.')[0] ?? '', 'base64url').toString('utf8');
    expect(payload).toBe(`sub_7k3m9q2xaa|cantieri|${Math.floor(clock.now().getTime() / DAY)}`);
    expect(links.read(tokenOf(url))).toEqual({ subscriberId: 'sub_7k3m9q2xaa', topic: 'cantieri' });
    expect(links.read(tokenOf(links.urlFor('sub_x', undefined)))).toEqual({ subscriberId: 'sub_x' });
  });

  it('refuses a link older than its life (tokenDays, 400 by default) as expired', () => {
    const issued = new FakeClock();
    const token = tokenOf(unsubscribeLinks('https://x.example.it', SECRET, issued).urlFor('sub_a', 'scuola'));
    const reader = (days: number, life?: number) => {
      const later = new FakeClock(new Date(issued.now().getTime() + days * DAY));
      return unsubscribeLinks('https://x.example.it', SECRET, later, life).read(token);
    };
    expect(reader(400)).toEqual({ subscriberId: 'sub_a', topic: 'scuola' });
    expect(reader(401)).toBe('expired');
    expect(reader(30, 30)).toEqual({ subscriberId: 'sub_a', topic: 'scuola' });
    expect(reader(31, 30)).toBe('expired');
  });

  it('accepts the undated tokens of e-mails already sent until UNDATED_TOKENS_UNTIL, then refuses them as expired', () => {
    const token = undatedToken('sub_old|cantieri');
    expect(links.read(token)).toEqual({ subscriberId: 'sub_old', topic: 'cantieri' });
    expect(links.read(undatedToken('sub_old'))).toEqual({ subscriberId: 'sub_old' });
    const after = unsubscribeLinks('https://x.example.it', SECRET, new FakeClock(new Date(UNDATED_TOKENS_UNTIL)));
    expect(after.read(token)).toBe('expired');
    // an undated payload signed as a dated one (or the reverse) is no token at all
    const [payload = '', signature = ''] = tokenOf(links.urlFor('sub_a', 'scuola')).split('.');
    const dated = Buffer.from(payload, 'base64url').toString('utf8');
    expect(links.read(`${Buffer.from(dated.replace(/\|\d+$/, '')).toString('base64url')}.${signature}`)).toBeUndefined();
  });

  it('decodes strictly: the same bytes written as another string never pass as the same MAC', () => {
    const token = tokenOf(links.urlFor('sub_a', 'scuola'));
    const [payload = '', signature = ''] = token.split('.');
    // 16 bytes in 22 characters leave 4 bits unused in the last one: Node's decoder ignores them
    const twin = withUnusedBitFlipped(signature);
    expect(twin).not.toBe(signature);
    expect(Buffer.from(twin, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(links.read(`${payload}.${twin}`)).toBeUndefined();
    expect(links.read(`${payload}.${signature}==`)).toBeUndefined();
    expect(links.read(`${payload}=.${signature}`)).toBeUndefined();
    if (payload.length % 4 !== 0) expect(links.read(`${withUnusedBitFlipped(payload)}.${signature}`)).toBeUndefined();
    expect(links.read(token)).toEqual({ subscriberId: 'sub_a', topic: 'scuola' });
  });

  it('refuses tokens that were tampered with or signed with another secret', () => {
    const token = tokenOf(links.urlFor('sub_a', 'scuola'));
    const [payload, signature] = token.split('.');
    const forged = `${Buffer.from('sub_b|scuola|20000').toString('base64url')}.${signature}`;
    expect(links.read(forged)).toBeUndefined();
    expect(links.read(`${payload}.${'A'.repeat(22)}`)).toBeUndefined();
    expect(unsubscribeLinks('https://x.example.it', 'other', clock).read(token)).toBeUndefined();
    expect(links.read('garbage')).toBeUndefined();
    expect(links.read('')).toBeUndefined();
  });

  it('makes no link without a public URL or a secret', () => {
    expect(unsubscribeLinks(undefined, 's', clock).urlFor('sub_a', undefined)).toBeUndefined();
    expect(unsubscribeLinks('https://x.example.it', '', clock).urlFor('sub_a', undefined)).toBeUndefined();
  });
});
