import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpTransport, type SmtpSettings } from '../../../src/adapters/transports/smtp/smtp-transport.js';
import type { Email } from '../../../src/core/email.js';
import type { EmailEnvelope } from '../../../src/core/transport.js';
import { FakeClock } from '../../support/fake-deps.js';
import { freePort, silentServer, startSmtpServer, startSmtpSink, TEST_TLS } from './smtp-server-fixture.js';

const envelope: EmailEnvelope = {
  channel: 'email',
  to: 'maria.rossi@example.it' as Email,
  toName: 'Maria Rossì',
  subject: 'Lavori in via Nazionale: è chiusa più a lungo, perché piove',
  text: 'Ciao Maria, la via è chiusa fino a venerdì. Ci scusiamo per il disagio — il Comune.',
  html: '<p>Ciao Maria, la via <b>è chiusa</b> fino a venerdì.</p>',
  unsubscribeUrl: 'https://comune.example.it/u/tok123',
  campaignId: 'cmp_7',
  recipientKey: 'sub_9',
};

const signal = new AbortController().signal;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function transport(url: string, overrides: Partial<SmtpSettings> = {}): SmtpTransport {
  const t = new SmtpTransport({ url, from: 'Comune di Esempio <avvisi@comune.example.it>', connections: 2, messagesPerConnection: 50, timeoutMs: 5_000, clock: new FakeClock(), ...overrides });
  cleanups.push(() => t.close());
  return t;
}

/** Quoted-printable bytes back to UTF-8 text. */
function unquote(text: string): string {
  const bytes: number[] = [];
  const flat = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < flat.length; i++) {
    const hex = flat[i] === '=' ? /^[0-9A-F]{2}$/i.exec(flat.slice(i + 1, i + 3)) : null;
    if (hex !== null) {
      bytes.push(parseInt(hex[0], 16));
      i += 2;
    } else bytes.push(...Buffer.from(flat[i] ?? '', 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The message with its headers unfolded and decoded (RFC 2047 Q words) and its quoted-printable body decoded. */
function decode(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/\?=\s+=\?UTF-8\?Q\?/gi, '')
    .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_m, text: string) => unquote(text.replace(/_/g, ' ')));
  return `${head}\r\n\r\n${unquote(raw.slice(split + 4))}`;
}

describe('SmtpTransport against smtp-server', () => {
  it('delivers an Italian message with every header the issue asks for, after logging in', async () => {
    const server = await startSmtpServer({ user: 'canale', pass: 'p@ss wörd' });
    cleanups.push(server.close);
    const result = await transport(`smtp://canale:${encodeURIComponent('p@ss wörd')}@127.0.0.1:${server.port}`).send(envelope, signal);
    expect(result).toEqual({ ok: true, providerMessageId: '<cmp_7.sub_9@comune.example.it>' });
    const [message] = server.messages;
    expect(message?.to).toEqual(['maria.rossi@example.it']);
    expect(message?.from).toBe('avvisi@comune.example.it');
    const raw = message?.raw ?? '';
    expect(raw).toMatch(/^Message-ID: <cmp_7\.sub_9@comune\.example\.it>\r$/m);
    expect(raw).toMatch(/^Date: Sat, 28 Nov 2026 09:00:00 \+0000\r$/m);
    expect(raw).toMatch(/^List-Unsubscribe: <https:\/\/comune\.example\.it\/u\/tok123>\r$/m);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(raw).toMatch(/^Content-Type: multipart\/alternative/m);
    expect(raw).toMatch(/^Subject: =\?UTF-8\?/m);
    const text = decode(raw);
    expect(text).toContain(`Subject: ${envelope.subject}`);
    expect(text).toContain('Maria Rossì');
    expect(text).toContain('la via è chiusa fino a venerdì');
    expect(text).toContain('<b>è chiusa</b>');
  });

  it('reports a refused login as fatal, without the password', async () => {
    const server = await startSmtpServer({ user: 'canale', pass: 'right' });
    cleanups.push(server.close);
    const result = await transport(`smtp://canale:wrong-secret@127.0.0.1:${server.port}`).send(envelope, signal);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'fatal', code: 'SMTP_AUTH_FAILED' } });
    expect(JSON.stringify(result)).not.toContain('wrong-secret');
  });

  it('reports a refused connection as transient', async () => {
    const port = await freePort();
    expect(await transport(`smtp://127.0.0.1:${port}`).send(envelope, signal)).toMatchObject({ ok: false, failure: { kind: 'transient', code: 'SMTP_UNREACHABLE' } });
  });

  it('gives up on a server that never answers', async () => {
    const server = await silentServer();
    cleanups.push(server.close);
    expect(await transport(`smtp://127.0.0.1:${server.port}`, { timeoutMs: 300 }).send(envelope, signal)).toMatchObject({
      ok: false,
      failure: { kind: 'transient', code: 'SMTP_TIMEOUT' },
    });
  });

  it('verifies the login and the connection', async () => {
    const server = await startSmtpServer();
    cleanups.push(server.close);
    expect(await transport(`smtp://127.0.0.1:${server.port}`).verify(signal)).toEqual({ ok: true, detail: `SMTP server 127.0.0.1:${server.port} answered and accepted the login` });
    const port = await freePort();
    expect((await transport(`smtp://127.0.0.1:${port}`).verify(signal)).detail).toMatch(/^SMTP_UNREACHABLE/);
  });

  it('sends many messages over the pool', async () => {
    const server = await startSmtpServer();
    cleanups.push(server.close);
    const t = transport(`smtp://127.0.0.1:${server.port}`);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => t.send({ ...envelope, recipientKey: `sub_${i}` }, signal)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.messages).toHaveLength(30);
  });
});

describe('SmtpTransport with TLS', () => {
  it.each([
    ['implicit TLS (smtps://)', 'implicit', 'smtps'],
    ['STARTTLS (smtp://)', 'starttls', 'smtp'],
  ] as const)('sends over %s to a server whose CA it trusts', async (_label, tls, scheme) => {
    const server = await startSmtpServer({ tls, user: 'canale', pass: 'segreto' });
    cleanups.push(server.close);
    const result = await transport(`${scheme}://canale:segreto@127.0.0.1:${server.port}`, { ca: TEST_TLS.cert }).send(envelope, signal);
    expect(result).toMatchObject({ ok: true });
    expect(server.messages).toHaveLength(1);
  });

  it.each([
    ['implicit TLS', 'implicit', 'smtps'],
    ['STARTTLS', 'starttls', 'smtp'],
  ] as const)('reports an untrusted certificate over %s as a value that names it', async (_label, tls, scheme) => {
    // nodemailer replaces Node's TLS error code with ESOCKET, so this is a connection failure (transient) whose
    // detail carries the TLS message; doctor shows it to the admin
    const server = await startSmtpServer({ tls });
    cleanups.push(server.close);
    const result = await transport(`${scheme}://127.0.0.1:${server.port}`).send(envelope, signal);
    expect(result).toMatchObject({ ok: false, failure: { code: 'SMTP_UNREACHABLE', detail: expect.stringContaining('self-signed certificate') } });
  });
});

describe('SmtpTransport against Postfix smtp-sink', () => {
  it('delivers an accented message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'canale-smtp-sink-'));
    await chmod(dir, 0o777);
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sink = await startSmtpSink(['-d', `${dir}/%M.`]);
    cleanups.push(sink.stop);
    expect(await transport(`smtp://127.0.0.1:${sink.port}`).send(envelope, signal)).toMatchObject({ ok: true });
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(decode(await readFile(join(dir, files[0] ?? ''), 'utf8'))).toContain('la via è chiusa fino a venerdì');
  });

  it.each([
    ['550 on RCPT TO → recipient', ['-f', 'RCPT', '-B', '550 5.1.1 mailbox unavailable'], 'recipient', 'SMTP_MAILBOX_REJECTED', '550'],
    ['451 4.3.0 on RCPT TO → transient (a local error of the server, retried with backoff)', ['-r', 'RCPT', '-b', '451 4.3.0 try again later'], 'transient', 'SMTP_TEMPORARY', '451'],
    ['451 4.7.1 on RCPT TO → deferred (greylisting: this recipient later)', ['-r', 'RCPT', '-b', '451 4.7.1 Greylisted, please try again later'], 'deferred', 'SMTP_GREYLISTED', '451'],
    ['450 on RCPT TO → transient', ['-r', 'RCPT', '-b', '450 4.2.0 mailbox busy'], 'transient', 'SMTP_TEMPORARY', '450'],
    ['550 on MAIL FROM → fatal', ['-f', 'MAIL', '-B', '550 5.7.1 sender refused'], 'fatal', 'SMTP_SENDER_REJECTED', '550'],
    ['421 and a hang-up → rate-limit', ['-Q', 'RCPT'], 'rate-limit', 'SMTP_THROTTLED', '421'],
  ])('%s', async (_label, options, kind, code, providerCode) => {
    const sink = await startSmtpSink(options);
    cleanups.push(sink.stop);
    expect(await transport(`smtp://127.0.0.1:${sink.port}`).send(envelope, signal)).toMatchObject({ ok: false, failure: { kind, code, providerCode } });
  });

  it('gives up on a slow answer to DATA', async () => {
    const sink = await startSmtpSink(['-w', '3']);
    cleanups.push(sink.stop);
    expect(await transport(`smtp://127.0.0.1:${sink.port}`, { timeoutMs: 400 }).send(envelope, signal)).toMatchObject({ ok: false, failure: { kind: 'transient', code: 'SMTP_TIMEOUT' } });
  });
});
