import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CliResult } from './cli.js';
import { GraphStandIn, type GraphStandInOptions, type ReceivedMessage } from '../../src/adapters/sandbox/graph-stand-in.js';
import { SmtpSink, type ReceivedMail } from '../../src/adapters/sandbox/smtp-sink.js';
import { SANDBOX_ACCOUNT, sandboxEnv } from '../../src/commands/sandbox.js';
import { FakeClock } from './fake-deps.js';

/** A sandbox (Graph stand-in and SMTP sink) for one end-to-end send test, counting what it answered. */
export interface Sandbox {
  readonly graph: GraphStandIn;
  readonly sink: SmtpSink;
  readonly env: Record<string, string>;
  /** Resolves once this many messages (both channels, accepted or not) have been answered. */
  readonly whenAnswered: (n: number) => Promise<void>;
  /** When each message was answered, per channel, in milliseconds of this process's monotonic clock. */
  readonly answeredAt: { readonly whatsapp: number[]; readonly email: number[] };
  /** Points the Graph stand-in's signed webhooks (receipts, `POST /sandbox/inbound`) at a running `webhook serve`. */
  readonly webhooksTo: (url: string) => void;
  /** Resolves once the stand-in has posted this many status webhooks (and heard the server's answer to each). */
  readonly whenReceiptsPosted: (n: number) => Promise<void>;
}

/** Faults to inject: a share of throttling answers and of server errors, mailboxes that refuse, WhatsApp latency. */
export interface SandboxFaults {
  readonly throttleRate?: number;
  readonly failRate?: number;
  readonly reject?: string[];
  /** Milliseconds the Graph stand-in waits before answering a message: requests stay in flight. */
  readonly latencyMs?: number;
  /** Numbers (digits) whose business-scoped user id the stand-in returns with a send (`contacts[].user_id`). */
  readonly userIds?: Readonly<Record<string, string>>;
}

/** Starts a sandbox whose e-mails go under `dir`; the caller closes it. */
export async function startSandbox(dir: string, faults: SandboxFaults = {}): Promise<Sandbox> {
  let answered = 0;
  const answeredAt = { whatsapp: [] as number[], email: [] as number[] };
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const count = (channel: 'whatsapp' | 'email') => {
    answeredAt[channel].push(performance.now());
    answered++;
    for (const w of waiting.filter((x) => answered >= x.n)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  const { reject, latencyMs, ...rates } = faults;
  let posted = 0;
  const postWaiters: Array<{ n: number; resolve: () => void }> = [];
  const notePosted = () => {
    posted++;
    for (const w of postWaiters.filter((x) => posted >= x.n)) {
      postWaiters.splice(postWaiters.indexOf(w), 1);
      w.resolve();
    }
  };
  // mutable so webhooksTo can name the server once it listens: the stand-in reads webhookUrl at each post
  const graphOptions: { -readonly [K in keyof GraphStandInOptions]: GraphStandInOptions[K] } = { port: 0, ...SANDBOX_ACCOUNT, clock: new FakeClock(), ...rates, ...(latencyMs === undefined ? {} : { latencyMs }), onReceived: () => count('whatsapp'), onWebhook: notePosted };
  const graph = new GraphStandIn(graphOptions);
  const sink = new SmtpSink({ port: 0, dir: join(dir, 'mail'), clock: new FakeClock(), ...rates, reject: reject ?? [], onReceived: () => count('email') });
  const url = await graph.listen();
  const port = await sink.listen();
  return {
    graph,
    sink,
    env: {
      ...sandboxEnv(url, port),
      CANALE_PUBLIC_URL: 'https://avvisi.comune.example.it',
      CANALE_UNSUBSCRIBE_SECRET: 'segreto-di-prova',
    },
    whenAnswered: (n) => (answered >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }))),
    answeredAt,
    webhooksTo: (url) => {
      graphOptions.webhookUrl = url;
    },
    whenReceiptsPosted: (n) => (posted >= n ? Promise.resolve() : new Promise((resolve) => postWaiters.push({ n, resolve }))),
  };
}

/** The most messages answered within any window of `ms` milliseconds (one second), of the times given (in order). */
export function mostWithin(times: readonly number[], ms = 1000): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while ((times[last] as number) - (times[first] as number) >= ms) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Accepted messages per recipient address, both channels. */
export function deliveredTo(box: Sandbox): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (to: string) => counts.set(to, (counts.get(to) ?? 0) + 1);
  for (const m of box.graph.received as ReceivedMessage[]) if ('wamid' in m.outcome) add(`+${m.to.replace(/\D/g, '')}`);
  for (const m of box.sink.received as ReceivedMail[]) for (const to of m.to) add(to);
  return counts;
}

export interface Report {
  campaign: string;
  status: string;
  counts: Record<'targeted' | 'sent' | 'delivered' | 'read' | 'failed' | 'unknown' | 'skipped', number>;
  byChannel: Record<'whatsapp' | 'email', Record<string, number>>;
  failures: Array<{ code: string; count: number }>;
}

export function lastJson<T>(stdout: string): T {
  const start = stdout.lastIndexOf('\n{');
  return JSON.parse(start < 0 ? stdout : stdout.slice(start + 1)) as T;
}


/** A raccolta-differenziata message with a WhatsApp template, written as carta.md by prepareRaccolta. */
export const MESSAGE = `---
topics: [raccolta-differenziata]
subject: "Municipio {{municipio | \\"della città\\"}}: cambia il calendario della raccolta"
whatsapp:
  template: raccolta_rifiuti
  language: it
  params:
    nome: '{{nome | "cittadina, cittadino"}}'
    giorno: "da lunedì 5 gennaio"
    materiale: "carta"
---
Ciao {{nome | "cittadina, cittadino"}}, da **lunedì 5 gennaio** la raccolta della carta passa al giovedì.
`;

/** A home with `n` subscribers of raccolta-differenziata, half preferring WhatsApp, half e-mail; templates synced. */
export async function prepareRaccolta(cli: (...args: string[]) => Promise<CliResult>, dir: string, n: number): Promise<void> {
  const rows = ['nome;telefono;email;canale;argomenti;municipio'];
  for (let i = 0; i < n; i++) {
    rows.push(`Cittadino ${i};+39 333 ${String(1_000_000 + i)};c${i}@example.it;${i % 2 === 0 ? 'whatsapp' : 'email'};raccolta-differenziata;${(i % 15) + 1}`);
  }
  await writeFile(join(dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
  await writeFile(join(dir, 'carta.md'), MESSAGE);
  const imported = await cli('subscribers', 'import', 'iscritti.csv', '--yes');
  expect(imported.code, imported.stderr).toBe(0);
  const synced = await cli('templates', 'sync');
  expect(synced.code, synced.stderr).toBe(0);
}

