import { connect } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Clock } from '../../../core/ports.js';
import { describeFailure, type Envelope, type SendResult, type Transport, type VerifyResult } from '../../../core/transport.js';
import { watchAbort } from '../abort-watch.js';
import { mailFor } from './email-message.js';
import { failureFromSmtp } from './smtp-failure.js';

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
}

/** nodemailer pool options from the URL; the password stays in `auth`, never in a message. */
export function poolOptions(settings: SmtpSettings): SMTPPool.Options {
  const url = new URL(settings.url);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const options: SMTPPool.Options = {
    pool: true,
    host: url.hostname,
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    maxConnections: settings.connections,
    maxMessages: settings.messagesPerConnection,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(url.password) } }),
    ...(settings.ca === undefined ? {} : { tls: { ca: settings.ca } }),
  };
  // Nagle's algorithm plus delayed ACKs stall each pipelined message ~40 ms (DESIGN §9); nodemailer's pool only
  // takes an already connected socket (`connection`), so connect one with TCP_NODELAY here. nodemailer still does
  // the greeting, STARTTLS or implicit TLS, login and its own timeouts on it.
  options.getSocket = (_options, callback) => {
    const socket = connect({ host: options.host ?? '127.0.0.1', port: options.port ?? 587 });
    socket.setNoDelay(true);
    socket.setTimeout(settings.timeoutMs, () => socket.destroy(Object.assign(new Error('connecting timed out'), { code: 'ETIMEDOUT' })));
    const failed = (error: Error): void => callback(error, false as never);
    socket.once('error', failed);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', failed);
      callback(null, { connection: socket } as never);
    });
  };
  return options;
}

/** E-mail through an SMTP server, with nodemailer's pooled transport. */
export class SmtpTransport implements Transport {
  readonly name = 'smtp' as const;
  readonly channel = 'email' as const;
  private readonly transporter: Transporter;
  private readonly hide: (text: string) => string;

  constructor(private readonly settings: SmtpSettings) {
    this.transporter = nodemailer.createTransport(poolOptions(settings));
    const password = decodeURIComponent(new URL(settings.url).password);
    this.hide = (text) => (password === '' ? text : text.split(password).join('********'));
  }

  async send(envelope: Envelope, signal: AbortSignal): Promise<SendResult> {
    if (envelope.channel !== 'email') {
      return { ok: false, failure: { kind: 'fatal', code: 'WRONG_CHANNEL', reason: 'the smtp transport only sends e-mail' } };
    }
    if (signal.aborted) return aborted();
    const mail = mailFor(envelope, this.settings.from, this.settings.clock.now());
    let unwatch: (() => void) | undefined;
    // nodemailer cannot cancel a message in flight: on abort we stop waiting for it
    const abort = new Promise<SendResult>((resolve) => {
      unwatch = watchAbort(signal, () => resolve(aborted()));
    });
    const send = this.transporter.sendMail(mail).then(
      (info): SendResult => ({ ok: true, providerMessageId: String(info.messageId ?? mail.messageId) }),
      (error: unknown): SendResult => ({ ok: false, failure: failureFromSmtp(error, this.hide) }),
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
      await this.transporter.verify();
      return { ok: true, detail: `SMTP server ${host} answered and accepted the login` };
    } catch (error) {
      const failure = failureFromSmtp(error, this.hide);
      return { ok: false, detail: `${failure.code}: ${describeFailure(failure)}` };
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

function aborted(): SendResult {
  return { ok: false, failure: { kind: 'transient', code: 'SMTP_ABORTED', reason: 'the send was given up (interrupted)' } };
}
