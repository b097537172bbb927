import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Clock, IdSource, Persistence, SubscriberPorts } from './core/ports.js';
import type { HomePaths } from './adapters/home.js';
import { persistenceFor, subscriberStoreFor, type PersistenceOptions } from './adapters/persistence.js';
import { systemClock, systemSleeper } from './adapters/clock.js';
import type { Sleeper } from './core/dispatch/rate-window.js';
import type { TransportFactory } from './sending/sending.js';
import { inquirerPrompter, type Prompter } from './ui/prompter.js';

/** Somewhere text goes: stdout or stderr, or a fake in tests that can pretend to be a terminal. */
export interface TextOutput {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number;
}

export interface Io {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly stdinIsTTY: boolean;
}

export type { Prompter } from './ui/prompter.js';

/** Everything a command may reach outside itself. Built once by bin/canale.js; tests build their own. */
export interface Deps {
  readonly io: Io;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly prompter: Prompter;
  readonly version: string;
  /**
   * The stores behind their ports: the JSON files of the home, or PostgreSQL when `databaseUrl` is given
   * (persistenceFor); tests may give the in-memory ones. Called once per command (Context.ports).
   */
  readonly persistence: (paths: HomePaths, options: PersistenceOptions) => Persistence | Promise<Persistence>;
  /**
   * The subscriber store alone (subscriberStoreFor), for commands that need no other port: Context.subscribers.
   * Absent, they take persistence's. A Deps that gives its own persistence leaves this out (or gives the same store).
   */
  readonly subscriberStore?: (paths: HomePaths, options: PersistenceOptions) => Promise<SubscriberPorts>;
  /** The transports a send builds for a home (homeTransports: Cloud API, SMTP, outbox); tests may give fakes. */
  readonly transports: (home: string, options: { readonly clock: Clock }) => TransportFactory | Promise<TransportFactory>;
  /** Waiting between sends (rate limits, retries): real time by default, a fake that advances a fake clock in tests. */
  readonly sleeper?: Sleeper;
  /** Resolves when the user asks a long job (a server, a send, an import) to stop: Ctrl-C or SIGTERM. */
  readonly untilInterrupted?: () => Promise<void>;
  /** This process, and whether another process on this machine still exists: a crashed send's lock is taken over. */
  readonly processes?: ProcessTable;
  /** How this canale is started: the Node binary and the script, for the crontab line `schedule install` prints. */
  readonly program?: { readonly node: string; readonly script: string };
}

export interface ProcessTable {
  readonly pid: number;
  alive(pid: number): boolean;
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

const ID_LENGTH = 10;
// drawn 64 KiB at a time: one randomBytes call per id cost about 8 µs, most of a million-row import's id time
const POOL_BYTES = 1 << 16;
let pool = Buffer.alloc(0);
let used = 0;
const LETTERS = Uint16Array.from(ALPHABET, (c) => c.charCodeAt(0));

// the id's character codes, prefix then letters, made into one flat string at once (a string joined from two is a
// rope, copied again the first time it is hashed or compared)
const codes: number[] = [];

/**
 * Ids like `sub_7k3m9q2xaa`: 50 random bits in Crockford's base 32, easy to read aloud and to type. Decoding a buffer
 * to a string per id cost three times as much (0.3 s of a million-row import).
 */
export const randomIds: IdSource = {
  next(prefix) {
    if (used + ID_LENGTH > pool.length) {
      pool = randomBytes(POOL_BYTES);
      used = 0;
    }
    codes.length = prefix.length + ID_LENGTH;
    for (let i = 0; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i);
    for (let k = 0; k < ID_LENGTH; k++) codes[prefix.length + k] = LETTERS[(pool[used + k] as number) & 31] as number;
    used += ID_LENGTH;
    return String.fromCharCode(...codes);
  },
};

function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * stdout as canale writes to it: when the reader goes away (`canale subscribers list | head -1`) the pipe's EPIPE
 * ends the writing quietly, as git and gh do, instead of crashing with a stack trace; the command finishes its work.
 */
function closablePipe(stream: NodeJS.WriteStream): TextOutput {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return {
    write(text) {
      if (!closed) stream.write(text);
    },
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
  };
}

/**
 * stderr stays the stream itself (progress bars draw on it), so a closed one (`canale send … 2>&1 | head`) is
 * only told to ignore the pipe's EPIPE, and every later write fails as quietly.
 */
function ignoreClosedPipe(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  return stream;
}

/** The real machine: process streams, environment, clock and randomness. */
export function systemDeps(): Deps {
  return {
    io: {
      stdout: closablePipe(process.stdout),
      stderr: ignoreClosedPipe(process.stderr),
      stdinIsTTY: process.stdin.isTTY === true,
    },
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    ids: randomIds,
    prompter: inquirerPrompter({ input: process.stdin, output: process.stderr }),
    version: packageVersion(),
    // loaded when a command first needs them: `canale --version` or `subscribers add` pay for no campaign, webhook or transport module
    // (and a home for no database driver)
    persistence: persistenceFor,
    subscriberStore: subscriberStoreFor,
    transports: async (home, options) => (await import('./adapters/transports/home-transports.js')).homeTransports(home, options),
    sleeper: systemSleeper,
    processes: {
      pid: process.pid,
      alive(pid) {
        try {
          process.kill(pid, 0);
          return true;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code === 'EPERM';
        }
      },
    },
    program: { node: process.execPath, script: fileURLToPath(new URL('../bin/canale.js', import.meta.url)) },
    untilInterrupted: interruption,
  };
}

let interrupted: Promise<void> | undefined;

/**
 * Resolves at the first Ctrl-C or SIGTERM; every caller shares it. The listeners stay installed for the life of the
 * process: proper-lockfile's signal-exit (loaded with the first lock, possibly after these listeners) kills the
 * process on a signal when its own listener is the only one left — which a one-time listener removed before it runs
 * would leave it, and a webhook server or send would die without closing. A second signal changes nothing: what is
 * in flight finishes (kill -9 is the way out, and the journal and event log are made to survive it).
 */
function interruption(): Promise<void> {
  interrupted ??= new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  return interrupted;
}
