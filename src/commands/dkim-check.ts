import { chooseTransport, dkimSettings } from '../adapters/transports/choose.js';
import { readDkimKey } from '../adapters/transports/smtp/dkim.js';
import { senderOf } from '../adapters/transports/smtp/email-message.js';
import type { Context } from './context.js';

/** A doctor line (doctor.ts `Check`). */
interface DkimCheck {
  readonly name: 'DKIM';
  readonly ok: boolean | 'warn';
  readonly detail: string;
}

/**
 * For e-mail through SMTP (undefined otherwise): whether canale signs, and with what — the key file reads and is an RSA private key of
 * 1024 bits or more, the selector and domain are DNS names, and the domain aligns with the From address (DMARC).
 * The key's path may be shown; its content never is.
 */
export async function dkimCheck(ctx: Context): Promise<DkimCheck | undefined> {
  const settings = await ctx.settings();
  try {
    if (chooseTransport('email', settings).name !== 'smtp') return undefined;
  } catch {
    return undefined; // the e-mail check names what is missing
  }
  const wanted = dkimSettings(settings, ctx.paths.home);
  let from: string | undefined;
  try {
    from = senderOf(settings.get('email.from') ?? '').domain;
  } catch {
    from = undefined; // the e-mail check names a From that is not an address
  }
  if (wanted.domain === undefined && wanted.selector === undefined && wanted.keyFile === undefined) {
    return {
      name: 'DKIM',
      ok: 'warn',
      detail: `canale does not sign (email.dkim.domain, email.dkim.selector and email.dkim.keyFile are not set): make sure the SMTP relay signs for ${from ?? 'the From domain'} — Gmail and Yahoo require DKIM, SPF and DMARC of bulk senders`,
    };
  }
  try {
    const key = readDkimKey(wanted);
    if (key === undefined) return { name: 'DKIM', ok: false, detail: 'not configured' };
    const detail = `signs as d=${key.domain}, s=${key.selector} with the ${key.bits}-bit RSA key in ${wanted.keyFile ?? ''} — its public key must be the TXT record ${key.selector}._domainkey.${key.domain}`;
    if (from !== undefined && from !== key.domain && !from.endsWith(`.${key.domain}`)) {
      return { name: 'DKIM', ok: 'warn', detail: `${detail}; but the From domain ${from} is not ${key.domain} or under it: DMARC counts the signature only if both have the same organisational domain — sign with d=${from}` };
    }
    return { name: 'DKIM', ok: true, detail };
  } catch (error) {
    return { name: 'DKIM', ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
