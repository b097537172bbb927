import type { Clock } from '../../../core/ports.js';
import { describeFailure, type Envelope, type SendResult, type Transport, type VerifyResult } from '../../../core/transport.js';
import { watchAbort } from '../abort-watch.js';
import { dkimSigner, type DkimKey } from './dkim.js';
import { asciiAddress, composeEmail, messageIdFor, senderOf, type Sender } from './email-message.js';
import { failureFromSmtp } from './smtp-failure.js';
import { SmtpPool, type SmtpPoolOptions } from './smtp-pool.js';

export interface SmtpSettings {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (implicit TLS). */
  readonly url: string;
  readonly from: string;
  readonly connections: number;
  readonly messagesPerConnection: number;
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** Extra certificate authorities to trust (PEM), for a server with a private CA. */
  readonly ca?: string;
  /** Sign every message with this key (email.dkim.*); absent: the relay signs, or nothing does. */
  readonly dkim?: DkimKey;
  /** How long a greylisted recipient waits before their next try (`email.greylistRetrySeconds`; default 5 minutes). */
  readonly greylistRetryMs?: number;
}

/** The pool's options from the URL; the password stays in `auth`, never in a message. */
export function poolOptions(settings: SmtpSettings): SmtpPoolOptions {
  const url = new URL(settings.url);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    connections: settings.connections,
    messagesPerConnection: settings.messagesPerConnection,
    timeoutMs: settings.timeoutMs,
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(url.password) } }),
    ...(settings.ca === undefined ? {} : { ca: settings.ca }),
  };
}

/**
 * E-mail through an SMTP server: each envelope becomes one message for one recipient, composed into one buffer
 * (DKIM-signed when a key is configured) and sent over a pool of reused sessions (smtp-pool.ts).
 */
export class SmtpTransport implements Transport {
  readonly name = 'smtp' as const;
  readonly channel = 'email' as const;
  private readonly pool: SmtpPool;
  private readonly sender: Sender;
  private readonly sign?: (message: Buffer) => Promise<Buffer>;
  private readonly hide: (text: string) => string;
  private readonly failureOptions: { readonly greylistRetryMs?: number };

  constructor(private readonly settings: SmtpSettings) {
    this.sender = senderOf(settings.from);
    this.pool = new SmtpPool(poolOptions(settings));
    if (settings.dkim !== undefined) this.sign = dkimSigner(settings.dkim);
    const password = decodeURIComponent(new URL(settings.url).password);
    this.hide = (text) => (password === '' ? text : text.split(password).join('********'));
    this.failureOptions = settings.greylistRetryMs === undefined ? {} : { greylistRetryMs: settings.greylistRetryMs };
  }

  async send(envelope: Envelope, signal: AbortSignal): Promise<SendResult> {
    if (envelope.channel !== 'email') {
      return { ok: false, failure: { kind: 'fatal', code: 'WRONG_CHANNEL', reason: 'the smtp transport only sends e-mail' } };
    }
    if (signal.aborted) return aborted();
    let message = composeEmail(envelope, this.sender, this.settings.clock.now());
    if (this.sign !== undefined) {
      try {
        message = await this.sign(message);
      } catch {
        return { ok: false, failure: { kind: 'fatal', code: 'DKIM_SIGN_FAILED', reason: 'the message could not be DKIM-signed with email.dkim.keyFile — check it with: canale doctor' } };
      }
    }
    const to = asciiAddress(envelope.to);
    let unwatch: (() => void) | undefined;
    // a message in flight cannot be taken back: on abort we stop waiting for it
    const abort = new Promise<SendResult>((resolve) => {
      unwatch = watchAbort(signal, () => resolve(aborted()));
    });
    const send = this.pool.send(this.sender.address, to, message).then(
      (): SendResult => ({ ok: true, providerMessageId: messageIdFor(envelope, this.sender) }),
      (error: unknown): SendResult => ({ ok: false, failure: failureFromSmtp(error, this.hide, this.failureOptions) }),
    );
    try {
      return await Promise.race([send, abort]);
    } finally {
      unwatch?.();
    }
  }

  async verify(signal: AbortSignal): Promise<VerifyResult> {
    const host = new URL(this.settings.url).host;
    if (signal.aborted) return { ok: false, detail: 'interrupted' };
    try {
      await this.pool.verify();
      return { ok: true, detail: `SMTP server ${host} answered and accepted the login` };
    } catch (error) {
      const failure = failureFromSmtp(error, this.hide, this.failureOptions);
      return { ok: false, detail: `${failure.code}: ${describeFailure(failure)}` };
    }
  }

  async close(): Promise<void> {
    this.pool.close();
  }
}

function aborted(): SendResult {
  return { ok: false, failure: { kind: 'transient', code: 'SMTP_ABORTED', reason: 'the send was given up (interrupted)' } };
}
