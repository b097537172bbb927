import { createServer, type AddressInfo, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpTransport } from '../../../src/adapters/transports/smtp/smtp-transport.js';
import { dotStuffed } from '../../../src/adapters/transports/smtp/smtp-session.js';
import type { Email } from '../../../src/core/email.js';
import type { EmailEnvelope } from '../../../src/core/transport.js';
import { FakeClock } from '../../support/fake-deps.js';
import { parseEml } from '../../support/mime-decode.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});
const signal = new AbortController().signal;

const mail = (local: string, text = 'Testo'): EmailEnvelope => ({
  channel: 'email',
  to: `${local}@example.it` as Email,
  subject: 'Avviso',
  text,
  html: '<p>Testo</p>',
  campaignId: 'cmp_1',
  recipientKey: local,
});

interface Counted {
  readonly port: number;
  readonly bodies: string[];
  /** Messages received over each session, by smtp-server's session id. */
  readonly perSession: Map<string, number>;
  /** Sessions opened, and the most open at once. */
  readonly sessions: { opened: number; open: number; most: number };
}

/** smtp-server refusing `nessuno@…`, with or without PIPELINING, counting its sessions. */
async function server(options: { pipelining?: boolean } = {}): Promise<Counted> {
  const bodies: string[] = [];
  const perSession = new Map<string, number>();
  const sessions = { opened: 0, open: 0, most: 0 };
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    ...(options.pipelining === false ? { hidePIPELINING: true } : {}),
    onConnect: (_session, callback) => {
      sessions.opened++;
      sessions.most = Math.max(sessions.most, ++sessions.open);
      callback();
    },
    onClose: () => {
      sessions.open--;
    },
    onRcptTo: (address, _session, callback) => (address.address.startsWith('nessuno@') ? callback(Object.assign(new Error('5.1.1 <nessuno@example.it>: Recipient address rejected'), { responseCode: 550 })) : callback()),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        perSession.set(session.id, (perSession.get(session.id) ?? 0) + 1);
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  } as ConstructorParameters<typeof SMTPServer>[0]);
  smtp.on('error', () => undefined);
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
  return { port: (smtp.server.address() as AddressInfo).port, bodies, perSession, sessions };
}

function transport(port: number, connections = 1, messagesPerConnection = 50): SmtpTransport {
  const t = new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, from: 'Comune <avvisi@comune.example.it>', connections, messagesPerConnection, timeoutMs: 5_000, clock: new FakeClock() });
  cleanups.push(() => t.close());
  return t;
}

/** A raw server speaking just enough SMTP; `afterData` decides what it does at the end of each message's data. */
async function rawServer(afterData: (socket: Socket) => void): Promise<{ port: number; datas: () => number; connections: () => number }> {
  let datas = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const raw = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.write('220 fake ESMTP\r\n');
    let buffer = '';
    let inData = false;
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      if (inData) {
        if (!/\r\n\.\r\n$/.test(buffer)) return;
        inData = false;
        buffer = '';
        datas++;
        return afterData(socket);
      }
      for (const line of buffer.split('\r\n').slice(0, -1)) {
        if (/^EHLO/i.test(line)) socket.write('250-fake\r\n250 PIPELINING\r\n');
        else if (/^(MAIL|RCPT|RSET)/i.test(line)) socket.write('250 ok\r\n');
        else if (/^DATA/i.test(line)) {
          socket.write('354 go on\r\n');
          inData = true;
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\r\n') + 2);
    });
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => raw.close(() => resolve()));
  });
  return { port: (raw.address() as AddressInfo).port, datas: () => datas, connections: () => connections };
}

describe('dotStuffed', () => {
  it.each([
    ['a\r\nb\r\n', 'a\r\nb\r\n.\r\n'],
    ['a\r\nb', 'a\r\nb\r\n.\r\n'],
    ['.a\r\n..b\r\nc.\r\n', '..a\r\n...b\r\nc.\r\n.\r\n'],
  ])('%j → %j', (message, wire) => {
    expect(dotStuffed(Buffer.from(message)).toString()).toBe(wire);
  });
});

describe.each([
  ['with PIPELINING', true],
  ['without PIPELINING', false],
])('SMTP sessions %s', (_label, pipelining) => {
  it('goes on over the same session after a refused recipient, one message per recipient, dots intact', async () => {
    const s = await server({ pipelining });
    const t = transport(s.port);
    const results = [];
    for (const who of ['anna', 'nessuno', 'bruno']) results.push(await t.send(mail(who, '.un punto\n..due punti\n'), signal));
    expect(results.map((r) => (r.ok ? 'ok' : r.failure.code))).toEqual(['ok', 'SMTP_MAILBOX_REJECTED', 'ok']);
    expect(s.sessions.opened).toBe(1);
    expect(s.bodies).toHaveLength(2);
    expect(s.bodies.map((b) => parseEml(b.replace(/\r?\n/g, '\r\n')).text)).toEqual(['.un punto\n..due punti\n', '.un punto\n..due punti\n']);
  });
});

describe('the SMTP pool', () => {
  it('opens at most `connections` sessions and renews each after `messagesPerConnection`', async () => {
    const s = await server();
    const t = transport(s.port, 3, 4);
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => t.send(mail(`c${i}`), signal)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(s.bodies).toHaveLength(24);
    expect(s.sessions.most).toBeLessThanOrEqual(3);
    // each session carries 4 messages at most, then a new one takes over (how many, the timing decides: 6 or more)
    expect(Math.max(...s.perSession.values())).toBe(4);
    expect(s.sessions.opened).toBeGreaterThanOrEqual(6);
  });

  it('fails a message whose session dies after its data was written, and never sends it again by itself', async () => {
    // hangs up instead of answering the end of the data
    const raw = await rawServer((socket) => socket.destroy());
    const result = await transport(raw.port).send(mail('anna'), signal);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'transient', code: 'SMTP_UNREACHABLE' } });
    expect(raw.datas()).toBe(1);
  });

  it('drops a session the server closes unasked (421 on an idle session) and sends the next message on a new one', async () => {
    const raw = await rawServer((socket) => {
      socket.write('250 2.0.0 queued\r\n421 4.4.2 idle too long, closing\r\n');
      socket.end();
    });
    const t = transport(raw.port);
    expect(await t.send(mail('anna'), signal)).toMatchObject({ ok: true });
    expect(await t.send(mail('bruno'), signal)).toMatchObject({ ok: true });
    expect([raw.datas(), raw.connections()]).toEqual([2, 2]);
  });
});
