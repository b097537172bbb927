import { afterEach, describe, expect, it } from 'vitest';
import type { Template } from '../../src/core/template.js';
import { formToken, post, signupServer, tokenIn, type SignupServer } from './web-signup-harness.js';

let server: SignupServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const anna = (token: string, more: Record<string, string | string[]> = {}) => ({ token, nome: 'Anna Rossi', canale: 'email', email: 'anna@example.it', telefono: '', argomenti: ['cantieri', 'scuola'], consenso: 'si', sito_web: '', ...more });
const linkIn = (text: string): string => /(http:\/\/127\.0\.0\.1:\d+\/iscriviti\/conferma\/[A-Za-z0-9_.-]+)/.exec(text)?.[1] ?? '';
const emailText = (s: SignupServer): string => {
  const e = s.sent.at(-1);
  return e?.channel === 'email' ? e.text : '';
};

describe('the sign-up page (GET|POST /iscriviti)', () => {
  it('is off (404) until the privacy notice is set; on, it shows the form with a topic ticked, as a page that cannot be framed and sends no Referer', async () => {
    server = await signupServer({ 'privacy.noticeUrl': '' });
    expect((await fetch(`${server.url}/iscriviti`)).status).toBe(404);
    await server.close();
    server = await signupServer();
    const res = await fetch(`${server.url}/iscriviti?argomento=cantieri`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(html).toContain('href="https://comune.example.it/privacy"');
    expect(html).toMatch(/value="cantieri" checked/);
    expect(tokenIn(html)).not.toBe('');
  });

  it('an e-mail sign-up is pending, the e-mail carries a link whose GET confirms nothing and whose POST records the confirmation', async () => {
    server = await signupServer();
    const answer = await post(`${server.url}/iscriviti`, anna(await formToken(server)));
    expect(answer.status).toBe(200);
    expect(answer.html).toContain('Controlla la tua e-mail');
    const [pending] = (await server.signups.read()).pending;
    expect(pending).toMatchObject({ name: 'Anna Rossi', email: 'anna@example.it', topics: ['cantieri', 'scuola'], channel: 'email', notice: '2026-1', expiresAt: '2026-12-11T10:00:00.000Z' });
    expect(server.sent).toHaveLength(1);
    const link = linkIn(emailText(server));
    expect(link).not.toBe('');
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Confermo l’iscrizione');
    expect(server.confirmations).toEqual([]);
    const done = await post(link, {});
    expect(done.html).toContain('Iscrizione confermata');
    expect(server.confirmations).toEqual([{ at: '2026-12-04T10:00:00.000Z', signupId: pending?.id }]);
  });

  it('a forged or replayed form token, a filled honeypot, a post from another site: each refused with a page, nothing stored', async () => {
    server = await signupServer();
    const token = await formToken(server);
    expect((await post(`${server.url}/iscriviti`, anna(`${token.slice(0, -2)}AA`))).status).toBe(403);
    expect((await post(`${server.url}/iscriviti`, anna(token, { sito_web: 'http://spam.example' }))).status).toBe(400);
    const foreign = await post(`${server.url}/iscriviti`, anna(token), { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(foreign.status).toBe(403);
    expect(foreign.html).toContain('Richiesta non accettata');
    expect((await post(`${server.url}/iscriviti`, anna(token), { origin: 'null', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await server.signups.read()).pending).toEqual([]);
    expect((await post(`${server.url}/iscriviti`, anna(token))).status).toBe(200);
    const replay = await post(`${server.url}/iscriviti`, anna(token, { email: 'altro@example.it' }));
    expect(replay.status).toBe(403);
    expect(replay.html).toContain('già stato inviato');
    expect((await server.signups.read()).pending.map((p) => p.email)).toEqual(['anna@example.it']);
    expect(server.sent).toHaveLength(1);
  });

  it('an expired form shows the form again, with what was typed and a fresh token', async () => {
    server = await signupServer();
    const token = await formToken(server);
    server.clock.advance(2 * 3_600_000 + 1);
    const again = await post(`${server.url}/iscriviti`, anna(token));
    expect(again.status).toBe(400);
    expect(again.html).toContain('aperto troppo a lungo');
    expect(again.html).toContain('value="anna@example.it"');
    expect(tokenIn(again.html)).not.toBe(token);
    expect((await server.signups.read()).pending).toEqual([]);
  });

  it('100 posts a minute from one address: 10 are read, the rest answered 429 with Retry-After; another address behind the same proxy is not held back', async () => {
    server = await signupServer();
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await post(`${server.url}/iscriviti`, anna('x'), { 'x-forwarded-for': '203.0.113.9' })).status);
    expect(statuses.filter((s) => s === 403)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(90);
    const limited = await post(`${server.url}/iscriviti`, anna('x'), { 'x-forwarded-for': '203.0.113.9' });
    expect(limited.headers.get('retry-after')).toBe('600');
    expect(limited.html).toContain('Troppi tentativi');
    expect((await post(`${server.url}/iscriviti`, anna(await formToken(server)), { 'x-forwarded-for': '198.51.100.4' })).status).toBe(200);
  });

  it('a phone that is not a mobile number, for WhatsApp: the form again with the problem next to the field, nothing stored', async () => {
    server = await signupServer();
    const answer = await post(`${server.url}/iscriviti`, anna(await formToken(server), { canale: 'whatsapp', telefono: '06 6710 1234', email: '' }));
    expect(answer.status).toBe(400);
    expect(answer.html).toMatch(/<p class="errore" id="e-telefono">.*serve un numero di cellulare/);
    expect(answer.html).toContain('aria-invalid="true"');
    expect((await server.signups.read()).pending).toEqual([]);
  });

  it('a WhatsApp sign-up shows the code to send as a click-to-chat link, or sends the approved template with it', async () => {
    server = await signupServer({ 'whatsapp.number': '+390612345678' });
    const shown = await post(`${server.url}/iscriviti`, anna(await formToken(server), { canale: 'whatsapp', telefono: '333 123 4567', email: '' }));
    const [pending] = (await server.signups.read()).pending;
    expect(shown.html).toContain(`href="https://wa.me/390612345678?text=CONFERMA%20${pending?.code}"`);
    expect(pending?.code).toMatch(/^\d{4}$/);
    expect(server.sent).toEqual([]);
    await server.close();
    const template: Template = { id: 't1', name: 'conferma_iscrizione', language: 'it', category: 'UTILITY', status: 'APPROVED', parameterFormat: 'positional', parameters: ['1'], texts: { body: 'Il tuo codice per confermare: {{1}}. Rispondi CONFERMA {{1}}.', buttons: [] }, syncedAt: '2026-12-01T00:00:00.000Z' };
    server = await signupServer({ 'signup.whatsappTemplate': 'conferma_iscrizione' }, [template]);
    const sent = await post(`${server.url}/iscriviti`, anna(await formToken(server), { canale: 'whatsapp', telefono: '333 765 4321', email: '' }));
    expect(sent.html).toContain('Ti abbiamo inviato un messaggio su WhatsApp');
    const code = (await server.signups.read()).pending[0]?.code;
    expect(server.sent).toEqual([expect.objectContaining({ channel: 'whatsapp', to: '+393337654321', content: { kind: 'template', name: 'conferma_iscrizione', language: 'it', parameters: { format: 'positional', values: [code] } } })]);
  });

  it('the same e-mail again within ten minutes sends nothing new; a confirmation that could not be sent leaves nothing pending', async () => {
    server = await signupServer();
    await post(`${server.url}/iscriviti`, anna(await formToken(server)));
    const again = await post(`${server.url}/iscriviti`, anna(await formToken(server)));
    expect(again.html).toContain('Controlla la tua e-mail');
    expect(server.sent).toHaveLength(1);
    expect((await server.signups.read()).pending).toHaveLength(1);
    server.failSends = true;
    const failed = await post(`${server.url}/iscriviti`, anna(await formToken(server), { email: 'bruno@example.it' }));
    expect(failed.status).toBe(502);
    expect((await server.signups.read()).pending.map((p) => p.email)).toEqual(['anna@example.it']);
  });

  it('a forged confirmation link is refused (403), an expired one answers 410, and neither records anything', async () => {
    server = await signupServer();
    await post(`${server.url}/iscriviti`, anna(await formToken(server)));
    const link = linkIn(emailText(server));
    expect((await post(`${link.slice(0, -3)}AAA`, {})).status).toBe(403);
    server.clock.advance(7 * 86_400_000);
    const late = await post(link, {});
    expect(late.status).toBe(410);
    expect(late.html).toContain('Link scaduto');
    expect(server.confirmations).toEqual([]);
  });
});
