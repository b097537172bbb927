import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmtpSink, type SmtpSinkOptions } from '../../src/adapters/sandbox/smtp-sink.js';
import { SmtpTransport } from '../../src/adapters/transports/smtp/smtp-transport.js';
import { parseSandbox } from '../../src/commands/sandbox.js';
import type { Email } from '../../src/core/email.js';
import type { EmailEnvelope } from '../../src/core/transport.js';
import { FakeClock } from '../support/fake-deps.js';

let dir: string;
const cleanups: Array<() => Promise<void>> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-sink-'));
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  await rm(dir, { recursive: true, force: true });
});
const signal = new AbortController().signal;

async function sinkWith(options: Partial<SmtpSinkOptions> = {}): Promise<{ sink: SmtpSink; port: number; transport: SmtpTransport }> {
  const sink = new SmtpSink({ port: 0, dir: join(dir, 'mail'), clock: new FakeClock(), ...options });
  const port = await sink.listen();
  const transport = new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, from: 'Comune di Esempio <avvisi@comune.example.it>', connections: 1, messagesPerConnection: 50, timeoutMs: 5_000, clock: new FakeClock() });
  cleanups.push(async () => {
    await transport.close();
    await sink.close();
  });
  return { sink, port, transport };
}

const mail = (to: string): EmailEnvelope => ({ channel: 'email', to: to as Email, subject: 'Avviso', text: 'Testo', html: '<p>Testo</p>', campaignId: 'cmp_1', recipientKey: to });

/** What the sink answered, as the client read it (the transport's failure detail is the server's reply). */
const answer = (result: Awaited<ReturnType<SmtpTransport['send']>>): string => (result.ok ? 'accepted' : `${result.failure.code}: ${result.failure.detail ?? ''}`);

describe('SmtpSink', () => {
  it('numbers on after the N.eml files an earlier run left, never writing over one', async () => {
    await writeFile(join(dir, 'keep'), '');
    const first = await sinkWith();
    await first.transport.send(mail('anna@example.it'), signal);
    await first.transport.send(mail('bruno@example.it'), signal);
    await cleanups.pop()?.();
    const before = await readFile(join(dir, 'mail', '2.eml'));
    // a file someone put there meanwhile is skipped, not overwritten
    await writeFile(join(dir, 'mail', '4.eml'), 'not a message');
    const second = await sinkWith();
    await second.transport.send(mail('carla@example.it'), signal);
    await second.transport.send(mail('dario@example.it'), signal);
    expect((await readdir(join(dir, 'mail'))).sort()).toEqual(['1.eml', '2.eml', '4.eml', '5.eml', '6.eml']);
    expect(await readFile(join(dir, 'mail', '2.eml'))).toEqual(before);
    expect(await readFile(join(dir, 'mail', '4.eml'), 'utf8')).toBe('not a message');
    expect(second.sink.received.map((m) => m.file.split('/').at(-1))).toEqual(['5.eml', '6.eml']);
  });

  it('greylists a recipient as Postfix with postgrey does, the first N times, then accepts; the others go through', async () => {
    const { transport } = await sinkWith({ greylist: ['Grigio@example.it'], greylistTimes: 2 });
    const answers = [];
    for (const to of ['grigio@example.it', 'anna@example.it', 'grigio@example.it', 'grigio@example.it']) answers.push(answer(await transport.send(mail(to), signal)));
    const postgrey = 'SMTP_GREYLISTED: server: 450 4.2.0 <grigio@example.it>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.it.html';
    expect(answers).toEqual([postgrey, 'accepted', postgrey, 'accepted']);
  });

  it('words a greylisting as milter-greylist when asked', async () => {
    const { transport } = await sinkWith({ greylist: ['grigio@example.it'], greylistReply: 'milter-greylist' });
    expect(answer(await transport.send(mail('grigio@example.it'), signal))).toBe('SMTP_GREYLISTED: server: 451 4.7.1 Greylisting in action, please come back later');
  });

  it.each([
    [
      'gmail',
      [
        '550-5.7.26 Your email has been blocked because the sender is unauthenticated.',
        '550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.',
        '550-5.7.26',
        '550-5.7.26  Authentication results:',
        '550-5.7.26  DKIM = did not pass',
        '550-5.7.26  SPF [comune.example.it] with ip: [127.0.0.1] = did not pass',
        '550-5.7.26',
        '550-5.7.26  For instructions on setting up authentication, go to',
        '550 5.7.26  https://support.google.com/mail/answer/81126#authentication canale-sandbox - gsmtp',
      ],
    ],
    ['dmarc-policy', ['550 5.7.1 rejected by DMARC policy for comune.example.it']],
  ] as const)('refuses every message as unauthenticated (%s) at the end of DATA, in the words of the real server', async (reply, lines) => {
    const { sink, port, transport } = await sinkWith({ dmarcReject: reply });
    expect(await replyToData(port)).toEqual(lines);
    // and canale stops the send as a problem of the sender, not of 50 mailboxes
    expect(await transport.send(mail('anna@example.it'), signal)).toMatchObject({ ok: false, failure: { kind: 'fatal', code: 'SMTP_SENDER_UNAUTHENTICATED', providerCode: '550' } });
    expect(sink.received).toEqual([]);
  });
});

/** The lines the sink answers to the end of a message's DATA, read off the wire. */
async function replyToData(port: number): Promise<string[]> {
  const socket = createConnection(port, '127.0.0.1');
  let received = '';
  const until = (pattern: RegExp): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (pattern.test(received)) {
          socket.off('data', onData);
          resolve();
        }
      };
      const onData = (chunk: Buffer): void => {
        received += chunk.toString();
        check();
      };
      socket.on('data', onData);
      check();
    });
  await until(/^220 /m);
  for (const [command, answer] of [['EHLO test', /^250 /m], ['MAIL FROM:<avvisi@comune.example.it>', /^250 /m], ['RCPT TO:<anna@example.it>', /^250 /m], ['DATA', /^354 /m]] as const) {
    received = '';
    socket.write(`${command}\r\n`);
    await until(answer);
  }
  received = '';
  socket.write('Subject: x\r\n\r\nTesto\r\n.\r\n');
  await until(/^5\d\d [^\r]*\r\n/m);
  socket.destroy();
  return received.split('\r\n').filter((l) => l !== '');
}

describe('canale sandbox mail flags', () => {
  it('reads --greylist, --greylist-times, --greylist-reply and --dmarc-reject', () => {
    expect(parseSandbox({ greylist: ['a@example.it', 'b@example.it'], greylistTimes: '3', greylistReply: 'milter-greylist', dmarcReject: true }, 'x')).toMatchObject({
      greylist: ['a@example.it', 'b@example.it'],
      greylistTimes: 3,
      greylistReply: 'milter-greylist',
      dmarcReject: 'gmail',
    });
    expect(parseSandbox({ dmarcReject: 'dmarc-policy' }, 'x')).toMatchObject({ greylist: [], dmarcReject: 'dmarc-policy' });
    expect(parseSandbox({}, 'x')).not.toHaveProperty('dmarcReject');
  });

  it.each([
    [{ greylistTimes: '0' }, /--greylist-times 0: expected a whole number of deferrals/],
    [{ greylistReply: 'exim' }, /--greylist-reply exim: expected postgrey or milter-greylist/],
    [{ dmarcReject: 'yahoo' }, /--dmarc-reject yahoo: expected gmail \(550 5\.7\.26\) or dmarc-policy/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseSandbox(raw, 'x')).toThrow(message);
  });
});
