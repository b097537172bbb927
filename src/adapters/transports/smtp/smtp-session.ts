import { connect, type Socket } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

export interface SessionOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (smtps://); else STARTTLS when the server offers it, as nodemailer does. */
  readonly secure: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Connecting, the greeting, and any silence from the server after that. */
  readonly timeoutMs: number;
  /** Extra certificate authorities to trust (PEM). */
  readonly ca?: string;
}

/** An error as nodemailer shapes them (lib/smtp-connection `_formatError`), so smtp-failure.ts reads both alike. */
export function smtpError(message: string, code: string, response?: string, command?: string): Error {
  const responseCode = response === undefined ? undefined : Number(/^\d{3}/.exec(response)?.[0] ?? NaN);
  return Object.assign(new Error(response === undefined ? message : `${message}: ${response}`), {
    code,
    ...(response === undefined ? {} : { response }),
    ...(responseCode === undefined || Number.isNaN(responseCode) ? {} : { responseCode }),
    ...(command === undefined ? {} : { command }),
  });
}

/** What SMTPConnection keeps on itself, read once its handshake is done (nodemailer 8, lib/smtp-connection). */
interface Handshaken {
  readonly _socket: Socket;
  readonly _supportedExtensions: readonly string[];
  readonly allowsAuth: boolean;
  readonly _onSocketData: () => void;
  readonly _onSocketError: () => void;
  readonly _onSocketClose: () => void;
  readonly _onSocketEnd: () => void;
  readonly _onSocketTimeout: () => void;
}

/** The socket handlers SMTPConnection put on its socket, by the event they listen to. */
const HANDLERS = [
  ['data', '_onSocketData'],
  ['error', '_onSocketError'],
  ['close', '_onSocketClose'],
  ['end', '_onSocketEnd'],
  ['timeout', '_onSocketTimeout'],
] as const;

/**
 * One SMTP session. nodemailer's SMTPConnection opens it — TCP with TCP_NODELAY, the greeting, EHLO (or HELO),
 * STARTTLS or implicit TLS, AUTH, each with its timeout — and then hands the socket over to this small client for the
 * transactions, the hot path: MAIL FROM, RCPT TO and DATA in one write when the server offers PIPELINING (RFC 2920),
 * the message with its final dot in a second, two round trips instead of nodemailer's four and five writes.
 */
export class SmtpSession {
  dead = false;
  private pending = '';
  private readonly waiting: Array<{ resolve: (reply: string) => void; reject: (error: Error) => void }> = [];
  private failure?: Error;

  private constructor(
    private readonly socket: Socket,
    private readonly extensions: readonly string[],
    timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (error: Error) => this.fail(Object.assign(error, { code: 'ESOCKET', command: 'CONN' })));
    socket.on('close', () => this.fail(smtpError('Connection closed unexpectedly', 'ECONNECTION', undefined, 'CONN')));
    socket.setTimeout(timeoutMs, () => {
      this.fail(smtpError('Timeout', 'ETIMEDOUT', undefined, 'CONN'));
      socket.destroy();
    });
  }

  /** Opens a session with nodemailer and takes it over once it is ready to send; rejects with nodemailer's error. */
  static open(options: SessionOptions): Promise<SmtpSession> {
    const { host, port, timeoutMs } = options;
    return new Promise<SmtpSession>((resolve, reject) => {
      const socket = connect({ host, port });
      // Nagle's algorithm plus delayed ACKs stall each message ~40 ms (DESIGN §9)
      socket.setNoDelay(true);
      socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error('connecting timed out'), { code: 'ETIMEDOUT' })));
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.removeListener('error', reject);
        const smtp = new SMTPConnection({
          host,
          port,
          secure: options.secure,
          connection: socket,
          connectionTimeout: timeoutMs,
          greetingTimeout: timeoutMs,
          socketTimeout: timeoutMs,
          logger: false,
          ...(options.ca === undefined ? {} : { tls: { ca: options.ca } }),
        });
        let settled = false;
        const fail = (error: Error): void => {
          if (settled) return;
          settled = true;
          smtp.close();
          reject(error);
        };
        smtp.on('error', fail);
        smtp.on('end', () => fail(smtpError('Connection closed unexpectedly', 'ECONNECTION', undefined, 'CONN')));
        const ready = (): void => {
          if (settled) return;
          settled = true;
          smtp.removeAllListeners();
          resolve(SmtpSession.takeOver(smtp, timeoutMs));
        };
        smtp.connect(() => {
          const internals = smtp as unknown as Handshaken;
          // as nodemailer's pool: log in when the server offers AUTH (after STARTTLS, if it offered that)
          if (options.auth === undefined || !internals.allowsAuth) return ready();
          smtp.login({ user: options.auth.user, pass: options.auth.pass }, (error) => (error === undefined || error === null ? ready() : fail(error)));
        });
      });
    });
  }

  private static takeOver(smtp: SMTPConnection, timeoutMs: number): SmtpSession {
    const internals = smtp as unknown as Handshaken;
    const socket = internals._socket;
    for (const [event, handler] of HANDLERS) {
      // a nodemailer that no longer keeps these handlers would leave two readers on the socket: refuse, loudly
      if (!socket.listeners(event).includes(internals[handler])) throw new Error(`nodemailer's SMTPConnection has no ${handler} on its socket: this canale does not fit the installed nodemailer`);
      socket.removeListener(event, internals[handler]);
    }
    return new SmtpSession(socket, internals._supportedExtensions, timeoutMs);
  }

  /**
   * One transaction: MAIL FROM, RCPT TO, DATA, the dot-stuffed message and its final dot. Resolves with the
   * server's acceptance; rejects as nodemailer does (EENVELOPE with the refused command, EMESSAGE for a refused
   * message), after which the session needs `reset` before its next message.
   */
  async send(from: string, to: string, message: Buffer): Promise<string> {
    if (this.dead) throw this.failure ?? smtpError('Connection closed unexpectedly', 'ECONNECTION', undefined, 'CONN');
    const args: string[] = [];
    if (this.extensions.includes('SIZE')) args.push(`SIZE=${message.length}`);
    // an address beyond ASCII (a local part in UTF-8) needs SMTPUTF8 (RFC 6531) where the server offers it
    if (/[\u0080-\uffff]/.test(from + to) && this.extensions.includes('SMTPUTF8')) args.push('SMTPUTF8');
    const commands = [`MAIL FROM:<${from}>${args.map((a) => ` ${a}`).join('')}`, `RCPT TO:<${to}>`, 'DATA'];
    const answers = await this.command(commands);
    const [mail = '', rcpt = '', data = ''] = answers;
    let refused: Error | undefined;
    if (!mail.startsWith('2')) refused = smtpError('Mail command failed', 'EENVELOPE', mail, 'MAIL FROM');
    else if (!rcpt.startsWith('2')) refused = Object.assign(smtpError("Can't send mail - all recipients were rejected", 'EENVELOPE', rcpt, 'RCPT TO'), { recipient: to });
    else if (!data.startsWith('3') && !data.startsWith('2')) refused = smtpError('Data command failed', 'EENVELOPE', data, 'DATA');
    if (refused !== undefined) {
      // a server that opened DATA all the same gets an empty message ended at once (it has no recipient to go to)
      if (data.startsWith('3')) await this.command(['.']);
      this.closeOn421(answers);
      throw refused;
    }
    const accepted = await this.write(dotStuffed(message));
    this.closeOn421([accepted]);
    if (!accepted.startsWith('2')) throw smtpError('Message failed', 'EMESSAGE', accepted, 'DATA');
    return accepted;
  }

  /** RSET, for the next message after a refused one. */
  async reset(): Promise<void> {
    const [answer = ''] = await this.command(['RSET']);
    if (!answer.startsWith('2')) throw smtpError(`Could not reset session state. response=${answer}`, 'EPROTOCOL', answer, 'RSET');
  }

  /** QUIT and close; no answer is waited for. */
  quit(): void {
    if (this.dead) return;
    this.dead = true;
    this.socket.end('QUIT\r\n');
  }

  /**
   * Commands and their answers, in one write when the server pipelines. After a refusal the rest are not sent (or
   * their answers are not needed): a server that hangs up after `421` still leaves that `421` to be read.
   */
  private async command(lines: readonly string[]): Promise<string[]> {
    const answers: string[] = [];
    const refused = (): boolean => answers.some((a) => !a.startsWith('2') && !a.startsWith('3'));
    if (this.extensions.includes('PIPELINING') || lines.length === 1) {
      const pending = lines.map(() => this.reply().catch((error: Error) => error));
      this.socket.write(`${lines.join('\r\n')}\r\n`);
      for (const next of pending) {
        const answer = await next;
        if (typeof answer === 'string') answers.push(answer);
        else if (refused()) answers.push('');
        else throw answer;
      }
      return answers;
    }
    for (const line of lines) {
      if (refused()) answers.push('');
      else {
        const answer = this.reply();
        this.socket.write(`${line}\r\n`);
        answers.push(await answer);
      }
    }
    return answers;
  }

  private write(bytes: Buffer): Promise<string> {
    const answer = this.reply();
    this.socket.write(bytes);
    return answer;
  }

  /** 421: the server is closing the session; no more messages go on it. */
  private closeOn421(answers: readonly string[]): void {
    if (answers.some((a) => a.startsWith('421'))) this.quit();
  }

  private reply(): Promise<string> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Splits what the server wrote into replies; a multi-line reply (`250-…` lines, then `250 …`) is one, joined. */
  private read(chunk: Buffer): void {
    this.pending += chunk.toString('utf8');
    let end: number;
    while ((end = this.pending.search(/^\d{3}(?: [^\n]*)?\r?\n/m)) !== -1) {
      const lineEnd = this.pending.indexOf('\n', end);
      const reply = this.pending.slice(0, lineEnd).replace(/\r?\n/g, '\n').replace(/\r$/, '').trim();
      this.pending = this.pending.slice(lineEnd + 1);
      const waiter = this.waiting.shift();
      if (waiter !== undefined) waiter.resolve(reply);
      // a reply nobody asked for (`421 … closing` on an idle session): the server is ending it, no message goes on it
      else this.dead = true;
    }
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.dead = true;
    // a message waiting for an answer fails with the session's error
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}

/**
 * The message as DATA carries it (RFC 5321 §4.5.2): a line that starts with a dot gets a second one, the message
 * ends with CRLF, then `.` CRLF — in one buffer, so it goes in one write.
 */
export function dotStuffed(message: Buffer): Buffer {
  const endsWithCrlf = message.length >= 2 && message[message.length - 2] === 13 && message[message.length - 1] === 10;
  const tail = Buffer.from(endsWithCrlf ? '.\r\n' : '\r\n.\r\n', 'latin1');
  if (message[0] !== 46 && message.indexOf('\n.') === -1) return Buffer.concat([message, tail]);
  const parts: Buffer[] = [];
  let from = 0;
  if (message[0] === 46) parts.push(Buffer.from('.'));
  for (let at = message.indexOf('\n.'); at !== -1; at = message.indexOf('\n.', at + 1)) {
    parts.push(message.subarray(from, at + 1), Buffer.from('.'));
    from = at + 1;
  }
  parts.push(message.subarray(from), tail);
  return Buffer.concat(parts);
}
