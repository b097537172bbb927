import { mkdir, readdir, writeFile } from 'node:fs/promises';
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
  /** Recipients greylisted: deferred the first `greylistTimes` times (default 1), then accepted. */
  readonly greylist?: readonly string[];
  readonly greylistTimes?: number;
  /** How the deferral is worded: Postfix with postgrey (450 4.2.0, the default) or milter-greylist (451 4.7.1). */
  readonly greylistReply?: GreylistReply;
  /** Refuse every message at the end of DATA as unauthenticated: Gmail's 550 5.7.26, or OpenDMARC's 550 5.7.1. */
  readonly dmarcReject?: DmarcReject;
  /** Share of recipients answered `450` (mailbox busy, a temporary failure), 0–1. */
  readonly failRate?: number;
  /** Share of recipients answered `421` (too fast: the client should slow down), 0–1. */
  readonly throttleRate?: number;
  /** A number in [0, 1); injected so tests can make the rates deterministic. */
  readonly random?: () => number;
  /** Called for each message kept, after it is listed: lets tests wait for progress without sleeping. */
  readonly onReceived?: (mail: ReceivedMail) => void;
  /** Called for each greylisting deferral, with the recipient. */
  readonly onGreylisted?: (address: string) => void;
}

export interface ReceivedMail {
  readonly at: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly file: string;
  readonly bytes: number;
}

export type GreylistReply = 'postgrey' | 'milter-greylist';
export type DmarcReject = 'gmail' | 'dmarc-policy';

function replyError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** A multi-line reply: smtp-server writes an array message as `550-…` lines and a last `550 …` (its send()). */
function multilineError(lines: readonly string[], responseCode: number): Error {
  return Object.assign(new Error(lines.join(' ')), { responseCode, message: lines });
}

/** A greylisting deferral worded as each server words it (postgrey through Postfix's defer_if_permit; milter-greylist). */
export function greylistError(address: string, reply: GreylistReply): Error {
  if (reply === 'milter-greylist') return replyError('4.7.1 Greylisting in action, please come back later', 451);
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return replyError(`4.2.0 <${address}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/${domain}.html`, 450);
}

/**
 * The refusal of an unauthenticated message, at the end of DATA: Gmail's (its multi-line 5.7.26, as it reads since
 * 2024), or a Postfix with OpenDMARC enforcing the From domain's `p=reject`.
 */
export function unauthenticatedError(fromDomain: string, reply: DmarcReject): Error {
  if (reply === 'dmarc-policy') return replyError(`5.7.1 rejected by DMARC policy for ${fromDomain}`, 550);
  return multilineError(
    [
      '5.7.26 Your email has been blocked because the sender is unauthenticated.',
      '5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.',
      '5.7.26',
      '5.7.26  Authentication results:',
      '5.7.26  DKIM = did not pass',
      `5.7.26  SPF [${fromDomain}] with ip: [127.0.0.1] = did not pass`,
      '5.7.26',
      '5.7.26  For instructions on setting up authentication, go to',
      '5.7.26  https://support.google.com/mail/answer/81126#authentication canale-sandbox - gsmtp',
    ],
    550,
  );
}

/** The highest `N` of the `N.eml` files already in `dir` (0 when none): a restarted sink numbers on from there. */
async function lastNumber(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.reduce((most, name) => Math.max(most, Number(/^(\d+)\.eml$/.exec(name)?.[1] ?? 0)), 0);
}

/**
 * An SMTP sink (smtp-server) on 127.0.0.1 that keeps every message as `N.eml` — numbering on after the files an
 * earlier run left — and answers as real servers do on demand: chosen recipients rejected, deferred, greylisted,
 * every message refused as unauthenticated (SPF/DKIM/DMARC).
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private readonly server: SMTPServer;
  private count = 0;

  constructor(private readonly options: SmtpSinkOptions) {
    const random = options.random ?? randomUnit;
    const deferred = new Map<string, number>();
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
        if (listed(options.greylist, address.address)) {
          const key = address.address.toLowerCase();
          const times = deferred.get(key) ?? 0;
          if (times < (options.greylistTimes ?? 1)) {
            deferred.set(key, times + 1);
            callback(greylistError(address.address, options.greylistReply ?? 'postgrey'));
            return options.onGreylisted?.(address.address);
          }
        }
        if (options.throttleRate !== undefined && random() < options.throttleRate) return callback(replyError('4.7.0 too many messages, slow down', 421));
        if (options.failRate !== undefined && random() < options.failRate) return callback(replyError(`4.2.1 <${address.address}>: mailbox busy, try again`, 450));
        return callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
          if (options.dmarcReject !== undefined) return callback(unauthenticatedError(from.slice(from.lastIndexOf('@') + 1), options.dmarcReject));
          const message = Buffer.concat(chunks);
          this.store(message)
            .then(({ file, n }) => {
              const mail = { at: options.clock.now().toISOString(), from, to: session.envelope.rcptTo.map((r) => r.address), file, bytes: message.length };
              this.received.push(mail);
              options.onReceived?.(mail);
              callback(null, `2.0.0 queued as ${n}`);
            })
            .catch((error: unknown) => callback(replyError(`4.3.0 cannot store the message: ${String(error)}`, 451)));
        });
      },
    });
  }

  /** Writes the next `N.eml`, never over a file already there (one kept from an earlier run, say). */
  private async store(message: Buffer): Promise<{ file: string; n: number }> {
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    for (;;) {
      const n = ++this.count;
      const file = join(this.options.dir, `${n}.eml`);
      try {
        await writeFile(file, message, { mode: 0o600, flag: 'wx' });
        return { file, n };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  async listen(): Promise<number> {
    this.count = Math.max(this.count, await lastNumber(this.options.dir));
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
