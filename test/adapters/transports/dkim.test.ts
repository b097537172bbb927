import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink } from '../../../src/adapters/sandbox/smtp-sink.js';
import { readDkimKey } from '../../../src/adapters/transports/smtp/dkim.js';
import { SmtpTransport } from '../../../src/adapters/transports/smtp/smtp-transport.js';
import { checkConfigValue } from '../../../src/core/config-keys.js';
import type { Email } from '../../../src/core/email.js';
import { verifyDkim } from '../../support/dkim-verify.js';
import { FakeClock } from '../../support/fake-deps.js';

let dir: string;
let keyFile: string;
let publicKey: KeyObject;
let sink: SmtpSink;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-dkim-'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  publicKey = pair.publicKey;
  keyFile = join(dir, 'dkim.pem');
  await writeFile(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  sink = new SmtpSink({ port: 0, dir: join(dir, 'mail'), clock: new FakeClock() });
  port = await sink.listen();
});
afterAll(async () => {
  await sink.close();
  await rm(dir, { recursive: true, force: true });
});

const settings = (overrides: Record<string, string | undefined> = {}) => ({ domain: 'comune.example.it', selector: 'canale2026', keyFile, ...overrides });

describe('readDkimKey', () => {
  it('reads an RSA key and the names it signs with; nothing when DKIM is not configured', () => {
    expect(readDkimKey(settings({ domain: 'Comune.Example.IT' }))).toMatchObject({ domain: 'comune.example.it', selector: 'canale2026', bits: 2048 });
    expect(readDkimKey({})).toBeUndefined();
  });

  it.each([
    ['half of the settings', { selector: undefined }, 'DKIM_INCOMPLETE', /email\.dkim\.selector not set/],
    ['a selector that is no DNS label', { selector: 'canale_2026' }, 'DKIM_NAME_INVALID', /email\.dkim\.selector: "canale_2026" is not valid/],
    ['a domain without a dot', { domain: 'comune' }, 'DKIM_NAME_INVALID', /email\.dkim\.domain: "comune" is not valid — expected a domain name/],
    ['a key file that is not there', { keyFile: '/nessuno/dkim.pem' }, 'DKIM_KEY_UNREADABLE', /cannot read \/nessuno\/dkim\.pem \(ENOENT\)/],
  ])('refuses %s, naming the setting', (_label, overrides, code, message) => {
    expect(() => readDkimKey(settings(overrides))).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });

  it.each([
    ['an Ed25519 key (nodemailer signs RSA only)', () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), /is an Ed25519 key: nodemailer signs with RSA only/],
    ['an EC key', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), /is a ec key, not an RSA private key/],
    ['a public key', () => publicKey.export({ type: 'spki', format: 'pem' }), /is not a private key in PEM/],
  ])('refuses %s without showing the key', async (_label, pem, message) => {
    const file = join(dir, 'other.pem');
    const text = String(pem());
    await writeFile(file, text);
    let error: Error | undefined;
    try {
      readDkimKey(settings({ keyFile: file }));
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).toContain(file);
    expect(error?.message).not.toContain(text.split('\n')[1] ?? 'MII');
  });

  it('checks the selector and domain when they are set, and a domain is kept in lower case', () => {
    expect(() => checkConfigValue('email.dkim.selector', '-canale')).toThrow(/email\.dkim\.selector: "-canale" is not valid/);
    expect(checkConfigValue('email.dkim.domain', 'Comune.Example.IT')).toBe('comune.example.it');
    expect(checkConfigValue('email.dkim.selector', 'canale2026.mail')).toBe('canale2026.mail');
  });
});

describe('DKIM signing', () => {
  it('signs every message so that a verifier of RFC 6376 accepts it, List-Unsubscribe and List-Unsubscribe-Post included', async () => {
    const dkim = readDkimKey(settings());
    const transport = new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, from: 'Comune di Esempio <avvisi@comune.example.it>', connections: 2, messagesPerConnection: 10, timeoutMs: 5_000, clock: new FakeClock(), ...(dkim === undefined ? {} : { dkim }) });
    const signal = new AbortController().signal;
    const results = await Promise.all(
      ['anna', 'bruno', 'carla'].map((name) =>
        transport.send(
          {
            channel: 'email',
            to: `${name}@example.it` as Email,
            toName: name,
            subject: `Avviso per ${name}: la via è chiusa`,
            text: `Ciao ${name},\n.riga che comincia con un punto\n\n-- \nPer annullare: https://comune.example.it/u/${name}\n`,
            html: `<p>Ciao ${name}</p>`,
            unsubscribeUrl: `https://comune.example.it/u/${name}`,
            list: { id: 'cantieri', name: 'Comune di Esempio – Cantieri' },
            campaignId: 'cmp_dkim',
            recipientKey: name,
          },
          signal,
        ),
      ),
    );
    await transport.close();
    expect(results.every((r) => r.ok)).toBe(true);
    for (const mail of sink.received) {
      const raw = await readFile(mail.file, 'utf8');
      const verdict = verifyDkim(raw, publicKey);
      expect(verdict).toMatchObject({ ok: true, tags: { d: 'comune.example.it', s: 'canale2026' } });
      expect(verdict.signedHeaders).toEqual(['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post']);
      // the one-click header is covered: a relay that changed it would break the signature
      expect(verifyDkim(raw.replace('List-Unsubscribe=One-Click', 'List-Unsubscribe=Two-Clicks'), publicKey)).toMatchObject({ ok: false, problem: 'signature does not verify' });
      expect(verifyDkim(raw.replace('Ciao', 'Ciau'), publicKey)).toMatchObject({ ok: false, problem: 'body hash does not match' });
    }
  });
});
