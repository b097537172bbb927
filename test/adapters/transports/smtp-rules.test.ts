import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTP_RULE_CODES } from '../../../src/adapters/transports/smtp/smtp-failure.js';
import { SmtpTransport } from '../../../src/adapters/transports/smtp/smtp-transport.js';
import type { Email } from '../../../src/core/email.js';
import type { EmailEnvelope, FailureKind } from '../../../src/core/transport.js';
import { FakeClock } from '../../support/fake-deps.js';

/**
 * SMTP_RULES row by row against a real SMTP server that answers as the providers do (issue 16 §2): each recipient
 * address picks the reply, at the stage a real server gives it. Connection, TLS and timeout rows are exercised in
 * smtp.test.ts (refused connection, bad TLS, a server that never answers).
 */

interface Reply {
  readonly stage: 'MAIL' | 'RCPT' | 'DATA';
  readonly code: number;
  readonly text: string;
}

/** Replies as real servers word them: Gmail, Outlook, Yahoo, postgrey, Postfix. */
const REPLIES: Readonly<Record<string, Reply>> = {
  'gmail-unauth': { stage: 'DATA', code: 550, text: '5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.' },
  'outlook-dmarc': { stage: 'DATA', code: 550, text: '5.7.1 Service unavailable, Client host blocked: message rejected due to the DMARC policy of the sender domain' },
  'yahoo-policy': { stage: 'DATA', code: 554, text: '5.7.9 Message not accepted for policy reasons: the sender is not authenticated (DKIM and SPF fail)' },
  'gmail-ptr': { stage: 'RCPT', code: 550, text: '5.7.25 The IP address sending this message does not have a PTR record setup.' },
  'postgrey': { stage: 'RCPT', code: 450, text: '4.2.0 <greylisted@example.it>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.it.html' },
  'greylist-471': { stage: 'RCPT', code: 451, text: '4.7.1 Please try again later' },
  'busy': { stage: 'RCPT', code: 450, text: '4.2.1 The user you are trying to contact is receiving mail too quickly' },
  'local-error': { stage: 'DATA', code: 451, text: '4.3.0 Temporary system problem, try again later' },
  'slow-down': { stage: 'RCPT', code: 421, text: '4.7.0 Too many messages, slow down' },
  'no-mailbox': { stage: 'RCPT', code: 550, text: '5.1.1 The email account that you tried to reach does not exist.' },
  'relay-denied': { stage: 'RCPT', code: 554, text: '5.7.1 <x@example.it>: Relay access denied' },
  'full': { stage: 'DATA', code: 552, text: '5.2.2 The email account that you tried to reach is over quota.' },
  'odd': { stage: 'RCPT', code: 399, text: 'something no standard says' },
};

const SENDER_REFUSED = 'refused-sender@comune.example.it';

let server: SMTPServer;
let port = 0;

function reject(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

beforeAll(async () => {
  const replyFor = (address: string): Reply | undefined => REPLIES[address.split('@')[0] ?? ''];
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onMailFrom: (address, _session, callback) => (address.address === SENDER_REFUSED ? callback(reject(550, '5.7.1 Sender address rejected: not owned by user')) : callback()),
    onRcptTo: (address, _session, callback) => {
      const reply = replyFor(address.address);
      return reply?.stage === 'RCPT' ? callback(reject(reply.code, reply.text)) : callback();
    },
    onData: (stream, session, callback) => {
      stream.resume();
      stream.on('end', () => {
        const reply = replyFor(session.envelope.rcptTo[0]?.address ?? '');
        if (reply?.stage === 'DATA') callback(reject(reply.code, reply.text));
        else callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function transport(from = 'Comune di Esempio <avvisi@comune.example.it>'): SmtpTransport {
  return new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, from, connections: 1, messagesPerConnection: 50, timeoutMs: 5_000, clock: new FakeClock() });
}

const mail = (local: string): EmailEnvelope => ({
  channel: 'email',
  to: `${local}@example.it` as Email,
  subject: 'Avviso',
  text: 'Testo',
  html: '<p>Testo</p>',
  campaignId: 'cmp_1',
  recipientKey: local,
});

const signal = new AbortController().signal;

describe('SMTP replies, each where it belongs', () => {
  const rows: Array<[string, FailureKind, string, string]> = [
    ['gmail-unauth', 'fatal', 'SMTP_SENDER_UNAUTHENTICATED', '550'],
    ['outlook-dmarc', 'fatal', 'SMTP_SENDER_UNAUTHENTICATED', '550'],
    ['yahoo-policy', 'fatal', 'SMTP_SENDER_UNAUTHENTICATED', '554'],
    ['gmail-ptr', 'fatal', 'SMTP_SENDER_UNAUTHENTICATED', '550'],
    ['postgrey', 'deferred', 'SMTP_GREYLISTED', '450'],
    ['greylist-471', 'deferred', 'SMTP_GREYLISTED', '451'],
    ['busy', 'transient', 'SMTP_TEMPORARY', '450'],
    ['local-error', 'transient', 'SMTP_TEMPORARY', '451'],
    ['slow-down', 'rate-limit', 'SMTP_THROTTLED', '421'],
    ['no-mailbox', 'recipient', 'SMTP_MAILBOX_REJECTED', '550'],
    ['relay-denied', 'recipient', 'SMTP_MAILBOX_REJECTED', '554'],
    ['full', 'recipient', 'SMTP_MAILBOX_REJECTED', '552'],
  ];
  it.each(rows)('%s → %s %s', async (local, kind, code, providerCode) => {
    const t = transport();
    try {
      const result = await t.send(mail(local), signal);
      expect(result).toMatchObject({ ok: false, failure: { kind, code, providerCode } });
      if (kind === 'deferred') expect(result.ok ? 0 : result.failure.retryAfterMs).toBe(5 * 60_000);
    } finally {
      await t.close();
    }
  });

  it('stops on a refused sender, and on a refused login', async () => {
    const t = transport(`Comune <${SENDER_REFUSED}>`);
    try {
      expect(await t.send(mail('anyone'), signal)).toMatchObject({ ok: false, failure: { kind: 'fatal', code: 'SMTP_SENDER_REJECTED', providerCode: '550' } });
    } finally {
      await t.close();
    }
  });

  it('calls a code no rule knows unclassified: recipient after recipient with it is the account', async () => {
    const t = transport();
    try {
      const result = await t.send(mail('odd'), signal);
      expect(result).toMatchObject({ ok: false, failure: { kind: 'transient', code: 'SMTP_ERROR', unclassified: true } });
    } finally {
      await t.close();
    }
  });

  it('has a row here, or in smtp.test.ts, for every rule', () => {
    const elsewhere = ['SMTP_AUTH_FAILED', 'SMTP_TLS', 'SMTP_TIMEOUT', 'SMTP_UNREACHABLE', 'SMTP_SENDER_REJECTED'];
    const here = new Set(rows.map(([, , code]) => code));
    expect(SMTP_RULE_CODES.filter((code) => !here.has(code) && !elsewhere.includes(code))).toEqual([]);
  });
});
