import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A port nobody listens on right now (the OS picks it; it is free again once this returns). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something on `port` sends an SMTP greeting: the readiness signal for a spawned server. */
export async function untilGreeting(port: number, child?: ChildProcess, attempts = 500): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (child !== undefined && child.exitCode !== null) throw new Error(`smtp-sink exited with ${child.exitCode}`);
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('220'));
      });
      socket.once('error', () => resolve(false));
    });
    if (greeted) return;
    // the server is still binding: try again shortly
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`nothing greets on port ${port}`);
}

/** Postfix's smtp-sink on a free port with extra options; stopped by its pid. */
export async function startSmtpSink(options: readonly string[]): Promise<{ port: number; child: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const child = spawn('/usr/sbin/smtp-sink', [...asRoot, ...options, `127.0.0.1:${port}`, '64'], { stdio: 'ignore' });
  await untilGreeting(port, child);
  return {
    port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A TCP server that accepts and never says a word: the slowest SMTP server there is. */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A self-signed certificate for 127.0.0.1 (EC P-256, valid until 2126), for the TLS tests only. */
export const TEST_TLS = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgX/nA//iCuU5XgVIs
nhjUcWKKD8BJFpS2PCA/aI/vESuhRANCAAQssCKhUCMkeh9oY6iq7q1Yd5GuERI+
WkgVhVGlthXdIwhP0zTbUhNrz6UC0J0qkZ/yrhvd8thVzwsBJD0GnDD4
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUeBimLvNOB7hoLwp1To1tS2sJ3pEwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyODA1NTM0NloYDzIxMjYxMTA0
MDU1MzQ2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQssCKhUCMkeh9oY6iq7q1Yd5GuERI+WkgVhVGlthXdIwhP0zTbUhNr
z6UC0J0qkZ/yrhvd8thVzwsBJD0GnDD4o2QwYjAdBgNVHQ4EFgQUQwkA0gE1S1qY
atno2J+WFiw2wcQwHwYDVR0jBBgwFoAUQwkA0gE1S1qYatno2J+WFiw2wcQwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQDvA7eu/lMPS+IBwnOt1U+AzyYroXeh4j1IlTN3Yj0TxgIgZyOEWDo1rju50oOB
RhvsasbxO18e8wJ8qT9Z2MPKgNo=
-----END CERTIFICATE-----`,
};

export interface Captured {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

/** smtp-server in-process, with a login check, capturing each message. */
export async function startSmtpServer(
  options: { user?: string; pass?: string; tls?: 'implicit' | 'starttls' } = {},
): Promise<{ port: number; messages: Captured[]; close: () => Promise<void> }> {
  const messages: Captured[] = [];
  const server = new SMTPServer({
    ...(options.tls === undefined ? { disabledCommands: ['STARTTLS'] } : { ...TEST_TLS, secure: options.tls === 'implicit' }),
    authOptional: options.user === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth: (auth, _session, callback) =>
      auth.username === options.user && auth.password === options.pass ? callback(null, { user: auth.username }) : callback(new Error('5.7.8 Authentication failed')),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  // a client that gives up mid-handshake is part of some tests, not a failure of the server
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.server.address() as AddressInfo).port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
