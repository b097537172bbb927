import { SmtpSession, type SessionOptions } from './smtp-session.js';

export interface SmtpPoolOptions extends SessionOptions {
  /** Sessions open at once. */
  readonly connections: number;
  /** Messages over one session before it is closed and a new one opened. */
  readonly messagesPerConnection: number;
}

/**
 * A reply about this one message (a refused recipient, a deferral, a rejected body), after which the session can
 * go on once reset; a 421 means the server is closing it.
 */
function isMessageReply(error: unknown): boolean {
  const e = error as { code?: string; responseCode?: number };
  return (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== undefined && e.responseCode !== 421;
}

/**
 * SMTP sessions kept open and reused, at most `connections` at once. It replaces nodemailer's pooled transport,
 * which costs more per message than the sending itself (DESIGN §9): a message is one pre-rendered buffer; a refused
 * recipient resets the session instead of closing it; and a message whose session dies is failed, never sent again
 * on another session by the pool (nodemailer's pool requeues it) — whether to retry is the core's decision.
 */
export class SmtpPool {
  private readonly idle: SmtpSession[] = [];
  private readonly waiting: Array<() => void> = [];
  private inUse = 0;
  private closed = false;
  private readonly sent = new WeakMap<SmtpSession, number>();

  constructor(private readonly options: SmtpPoolOptions) {}

  /** Sends one message; rejects with nodemailer-shaped errors (code, responseCode, command, response) when it is not accepted. */
  async send(from: string, to: string, message: Buffer): Promise<string> {
    await this.slot();
    let session: SmtpSession | undefined;
    try {
      session = this.idle.pop() ?? (await SmtpSession.open(this.options));
      const answer = await session.send(from, to, message);
      this.keep(session);
      return answer;
    } catch (error) {
      // the session is reset before its slot is given back, so no more sessions are open than `connections`
      if (session !== undefined && !session.dead && isMessageReply(error)) await this.reset(session);
      else session?.quit();
      throw error;
    } finally {
      this.inUse--;
      this.waiting.shift()?.();
    }
  }

  /** Opens one session (connection, greeting, TLS, login) and closes it: what `doctor` checks. */
  async verify(): Promise<void> {
    (await SmtpSession.open(this.options)).quit();
  }

  /** Closes the idle sessions now and the busy ones as their message finishes. */
  close(): void {
    this.closed = true;
    for (const session of this.idle.splice(0)) session.quit();
  }

  private async slot(): Promise<void> {
    while (this.inUse >= this.options.connections) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inUse++;
    // a session the server closed while idle is dropped here, before a message is given to it
    for (let i = this.idle.length - 1; i >= 0; i--) if (this.idle[i]?.dead === true) this.idle.splice(i, 1);
  }

  private keep(session: SmtpSession): void {
    const sent = (this.sent.get(session) ?? 0) + 1;
    this.sent.set(session, sent);
    if (this.closed || session.dead || sent >= this.options.messagesPerConnection) session.quit();
    else this.idle.push(session);
  }

  private async reset(session: SmtpSession): Promise<void> {
    try {
      await session.reset();
      this.keep(session);
    } catch {
      session.quit();
    }
  }
}
