import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import DKIM from 'nodemailer/lib/dkim/index.js';
import { dnsNameProblem } from '../../../core/dns-name.js';
import { CanaleError } from '../../../core/errors.js';

/** What canale signs with: the DKIM domain (`d=`), selector (`s=`) and private key (never shown). */
export interface DkimKey {
  readonly domain: string;
  readonly selector: string;
  /** The key in PEM, as read from `email.dkim.keyFile`. */
  readonly privateKey: string;
  /** The RSA key's size. */
  readonly bits: number;
}

/**
 * The header fields signed (`h=`), in this order: nodemailer's defaults leave out List-Unsubscribe-Post, and RFC
 * 8058 §4 requires it signed together with List-Unsubscribe, or a one-click unsubscribe does not count.
 */
export const DKIM_SIGNED_HEADERS = ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type', 'List-Id', 'List-Unsubscribe', 'List-Unsubscribe-Post'] as const;

/**
 * The key as nodemailer's signer can use it, or why not. nodemailer signs `rsa-sha256` only (RFC 6376), so an
 * Ed25519 key (RFC 8463) is refused by name rather than sending unsigned mail; RSA keys under 1024 bits are refused
 * as RFC 8301 requires, and the file's content is never part of any message.
 */
export function checkDkimKey(pem: string): { readonly ok: true; readonly bits: number } | { readonly ok: false; readonly problem: string } {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    return { ok: false, problem: 'is not a private key in PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)' };
  }
  if (key.asymmetricKeyType === 'ed25519') {
    return { ok: false, problem: 'is an Ed25519 key: nodemailer signs with RSA only — make an RSA key (openssl genrsa -out dkim.pem 2048) and publish it under a selector of its own' };
  }
  if (key.asymmetricKeyType !== 'rsa') return { ok: false, problem: `is a ${key.asymmetricKeyType ?? 'unknown'} key, not an RSA private key` };
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024) return { ok: false, problem: `is an RSA key of ${bits} bits: DKIM verifiers ignore keys under 1024 bits (RFC 8301) — use 2048` };
  return { ok: true, bits };
}

/** The DKIM key the settings name, read and checked; undefined when DKIM is not configured. */
export function readDkimKey(settings: { readonly domain?: string; readonly selector?: string; readonly keyFile?: string }): DkimKey | undefined {
  const { domain, selector, keyFile } = settings;
  if (domain === undefined && selector === undefined && keyFile === undefined) return undefined;
  const missing = [['email.dkim.domain', domain], ['email.dkim.selector', selector], ['email.dkim.keyFile', keyFile]].filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length > 0 || domain === undefined || selector === undefined || keyFile === undefined) {
    throw new CanaleError('DKIM_INCOMPLETE', `DKIM needs email.dkim.domain, email.dkim.selector and email.dkim.keyFile together: ${missing.join(' and ')} not set — canale config set ${missing[0] ?? 'KEY'} …`);
  }
  for (const [key, what, value] of [['email.dkim.domain', 'domain', domain], ['email.dkim.selector', 'selector', selector]] as const) {
    const expected = dnsNameProblem(what, value);
    if (expected !== undefined) throw new CanaleError('DKIM_NAME_INVALID', `${key}: "${value}" is not valid — expected ${expected}; fix with: canale config set ${key} VALUE`);
  }
  let pem: string;
  try {
    pem = readFileSync(keyFile, 'utf8');
  } catch (error) {
    throw new CanaleError('DKIM_KEY_UNREADABLE', `email.dkim.keyFile: cannot read ${keyFile} (${(error as NodeJS.ErrnoException).code ?? 'error'}) — check the path and that this user may read it`);
  }
  const checked = checkDkimKey(pem);
  if (!checked.ok) throw new CanaleError('DKIM_KEY_INVALID', `email.dkim.keyFile: ${keyFile} ${checked.problem}`);
  return { domain: domain.toLowerCase(), selector, privateKey: pem, bits: checked.bits };
}

/** nodemailer's DKIM signer for a key, signing the headers of DKIM_SIGNED_HEADERS. */
export function dkimSigner(key: DkimKey): (message: Buffer) => Promise<Buffer> {
  const signer = new DKIM({ domainName: key.domain, keySelector: key.selector, privateKey: key.privateKey, headerFieldNames: DKIM_SIGNED_HEADERS.join(':') });
  return (message) =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const stream = signer.sign(message);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', reject);
      stream.once('end', () => {
        const signed = Buffer.concat(chunks);
        // nodemailer leaves a message unsigned when signing fails: never send that as if it were signed
        if (!signed.subarray(0, 16).toString('latin1').startsWith('DKIM-Signature:')) reject(new Error('DKIM signing failed'));
        else resolve(signed);
      });
    });
}
