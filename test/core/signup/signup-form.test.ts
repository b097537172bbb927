import { describe, expect, it } from 'vitest';
import { checkSignup, signupInput, type SignupInput } from '../../../src/core/signup/signup-form.js';
import { DEFAULT_TOPICS } from '../../../src/core/topic.js';
import { readToken, signToken } from '../../../src/adapters/http/page-tokens.js';
import { formPage } from '../../../src/adapters/http/signup-page.js';

const form = (overrides: Partial<SignupInput> = {}): SignupInput => ({ nome: 'Anna Rossi', telefono: '333 123 4567', email: '', argomenti: ['cantieri'], canale: 'whatsapp', consenso: 'si', ...overrides });

describe('the sign-up form, checked as the CLI checks a subscriber', () => {
  it('accepts a WhatsApp sign-up with a mobile number, normalised', () => {
    expect(checkSignup(form(), DEFAULT_TOPICS, 'IT')).toEqual({ request: { name: 'Anna Rossi', phone: '+393331234567', topics: ['cantieri'], channel: 'whatsapp' } });
  });

  it('refuses each problem next to its field, and accepts nothing with one', () => {
    const result = checkSignup(form({ telefono: '06 1234 5678', argomenti: ['cantieri', 'nessuno'], consenso: '', nome: 'a\u202Eb' }), DEFAULT_TOPICS, 'IT');
    expect(result).toEqual({ errors: { nome: expect.stringContaining('non ammessi'), telefono: expect.stringContaining('cellulare'), argomenti: expect.stringContaining('non esiste'), consenso: expect.stringContaining('consenso') } });
    expect(checkSignup(form({ canale: 'email', telefono: '' }), DEFAULT_TOPICS, 'IT')).toEqual({ errors: { email: expect.stringContaining('indirizzo') } });
    expect(checkSignup(form({ canale: 'sms' }), DEFAULT_TOPICS, 'IT')).toEqual({ errors: { canale: expect.any(String) } });
    expect(checkSignup(form({ argomenti: [] }), DEFAULT_TOPICS, 'IT')).toEqual({ errors: { argomenti: 'Scegli almeno un argomento.' } });
    expect(checkSignup(form({ email: 'non-una-mail' }), DEFAULT_TOPICS, 'IT')).toEqual({ errors: { email: expect.stringContaining('non è valido') } });
  });

  it('reads the posted body: every topic ticked, the first of any other value', () => {
    const body = new URLSearchParams('nome=Anna&argomenti=cantieri&argomenti=scuola&canale=email&canale=whatsapp&email=a%40example.it&consenso=si');
    expect(signupInput(body)).toEqual({ nome: 'Anna', telefono: '', email: 'a@example.it', argomenti: ['cantieri', 'scuola'], canale: 'email', consenso: 'si' });
  });

  it('shows the values typed escaped, never as markup', () => {
    const html = formPage({ city: 'Comune <di> Prova', topics: DEFAULT_TOPICS, noticeUrl: 'https://comune.example.it/privacy', token: 't', input: form({ nome: '"><script>alert(1)</script>' }), errors: { telefono: 'x' } });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('aria-invalid="true"');
  });
});

describe('the sign-up pages\' tokens', () => {
  it('reads back a token made with the secret for its purpose only, until it expires', () => {
    const token = signToken('s3cret', 'signup-confirm', 'sig_01', 2_000);
    expect(readToken('s3cret', 'signup-confirm', token, 1_000)).toEqual({ value: 'sig_01', expiresMs: 2_000 });
    expect(readToken('s3cret', 'signup-confirm', token, 2_000)).toBe('expired');
    expect(readToken('s3cret', 'signup-form', token, 1_000)).toBeUndefined();
    expect(readToken('other', 'signup-confirm', token, 1_000)).toBeUndefined();
    const [payload = '', signature = ''] = token.split('.');
    const forged = `${Buffer.from('sig_02|2000').toString('base64url')}.${signature}`;
    expect(readToken('s3cret', 'signup-confirm', forged, 1_000)).toBeUndefined();
    expect(readToken('s3cret', 'signup-confirm', `${payload}.${signature}x`, 1_000)).toBeUndefined();
  });
});
