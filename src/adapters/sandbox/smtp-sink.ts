import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import type { Clock } from '../../core/ports.js';
import { randomUnit } from './random-unit.js';

export interface SmtpSinkOptions {
  readonly port: number;
  /** Where each accepted message is written as `<n>.eml` (outside the canale home). */
  readonly dir: string;
  readonly clock: Clock;
  /** Recipients answered `550` (mailbox unavailable). */
  readonly reject?: readonly string[];
  /** Recipients answered `451` (try again later). */
  readonly tempfail?: readonly string[];
  /** Share of recipients answered `450` (mailbox busy, a temporary failure), 0–1. */
  readonly failRate?: number;
  /** Share of recipients answered `421` (too fast: the client should slow down), 0–1. */
  readonly throttleRate?: number;
  /** A number in [0, 1); injected so tests can make the rates deterministic. */
  readonly random?: () => number;
  /** Called for each message kept, after it is listed: lets tests wait for progress without sleeping. */
  readonly onReceived?: (mail: ReceivedMail) => void;
}

export interface ReceivedMail {
  readonly at: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly file: string;
  readonly bytes: number;
}

function replyError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** An SMTP sink (smtp-server) on 127.0.0.1 that keeps every message as an .eml and rejects or defers chosen recipients. */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private readonly server: SMTPServer;
  private count = 0;

  constructor(private readonly options: SmtpSinkOptions) {
    const random = options.random ?? randomUnit;
    const listed = (list: readonly string[] | undefined, address: string): boolean => (list ?? []).some((a) => a.toLowerCase() === address.toLowerCase());
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      banner: 'canale sandbox',
      logger: false,
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'sandbox' }),
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        if (listed(options.reject, address.address)) return callback(replyError(`5.1.1 <${address.address}>: mailbox unavailable`, 550));
        if (listed(options.tempfail, address.address)) return callback(replyError(`4.2.0 <${address.address}>: try again later`, 451));
        if (options.throttleRate !== undefined && random() < options.throttleRate) return callback(replyError('4.7.0 too many messages, slow down', 421));
        if (options.failRate !== undefined && random() < options.failRate) return callback(replyError(`4.2.1 <${address.address}>: mailbox busy, try again`, 450));
        return callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const message = Buffer.concat(chunks);
          const file = join(options.dir, `${++this.count}.eml`);
          mkdir(options.dir, { recursive: true, mode: 0o700 })
            .then(() => writeFile(file, message, { mode: 0o600 }))
            .then(() => {
              const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
              const mail = { at: options.clock.now().toISOString(), from, to: session.envelope.rcptTo.map((r) => r.address), file, bytes: message.length };
              this.received.push(mail);
              options.onReceived?.(mail);
              callback(null, `2.0.0 queued as ${this.count}`);
            })
            .catch((error: unknown) => callback(replyError(`4.3.0 cannot store the message: ${String(error)}`, 451)));
        });
      },
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        // a client that goes away mid-session (a killed send) is the client's business, not the sink's
        this.server.on('error', () => undefined);
        resolve();
      });
    });
    return (this.server.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
