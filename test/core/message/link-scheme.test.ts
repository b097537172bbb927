import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUnsafeUrl } from '../../../src/core/message/link-scheme.js';

describe('isUnsafeUrl', () => {
  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'java\u0000script:alert(1)',
    'java&#x09;script:alert(1)',
    'java&#9;script:alert(1)',
    'java&#x09script:alert(1)',
    'java&Tab;script:alert(1)',
    'javascript&colon;alert(1)',
    'javascript&#58;alert(1)',
    '&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)',
    '&#x6A;avascript:alert(1)',
    'java&amp;#x09;script:alert(1)',
    '%6Aavascript:alert(1)',
    'javascript%3Aalert(1)',
    'java\u200bscript:alert(1)',
    'vbscript:msgbox(1)',
    'VBScript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'DATA:image/svg+xml,<svg onload=alert(1)>',
    'd a t a:text/html,x',
  ])('%j is unsafe', (url) => {
    expect(isUnsafeUrl(url)).toBe(true);
  });

  it.each([
    'https://comune.example.it/avvisi?id=1&x=2',
    'http://www.example.it',
    'mailto:urp@comune.example.it',
    'tel:+39061234567',
    '/avvisi',
    'avvisi/javascript:no',
    'https://example.it/?next=javascript:alert(1)',
    'https://example.it/data:x',
    '',
  ])('%j is safe', (url) => {
    expect(isUnsafeUrl(url)).toBe(false);
  });

  it('sees through any mix of blanks, controls, case and character references inside the scheme', () => {
    const noise = fc.constantFrom('', '\t', '\n', '\r', ' ', '\u0000', '\u001f', '&#x09;', '&#9;', '&#x0A;', '&Tab;', '&NewLine;', '%09', '\u00ad', '\ufeff');
    const scheme = fc.constantFrom('javascript', 'vbscript', 'data');
    fc.assert(
      fc.property(scheme, fc.array(noise, { minLength: 12, maxLength: 12 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), fc.string(), (word, gaps, upper, rest) => {
        const letters = [...word].map((c, i) => (upper[i] === true ? c.toUpperCase() : c) + (gaps[i] ?? ''));
        const colon = gaps[11] === '' ? ':' : '&#58;';
        expect(isUnsafeUrl(`${gaps[10] ?? ''}${letters.join('')}${colon}${rest}`)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
