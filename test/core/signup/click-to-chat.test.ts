import { describe, expect, it } from 'vitest';
import { clickToChatUrl } from '../../../src/core/signup/click-to-chat.js';

describe('clickToChatUrl', () => {
  it('writes the number as digits and encodes the text', () => {
    expect(clickToChatUrl('+390612345678', 'ISCRIVI cantieri')).toBe('https://wa.me/390612345678?text=ISCRIVI%20cantieri');
    expect(clickToChatUrl('+39 06 1234 5678', 'CONFERMA 4821')).toBe('https://wa.me/390612345678?text=CONFERMA%204821');
    expect(clickToChatUrl('+390612345678', 'è & ?')).toBe('https://wa.me/390612345678?text=%C3%A8%20%26%20%3F');
  });
  it('has no text part without a text', () => {
    expect(clickToChatUrl('+390612345678')).toBe('https://wa.me/390612345678');
  });
  it('refuses what is not an international number', () => {
    expect(() => clickToChatUrl('0612')).toThrow(RangeError);
  });
});
