import { persistenceFor, subscriberStoreFor } from '../../src/adapters/persistence.js';
import { homeTransports } from '../../src/adapters/transports/home-transports.js';
import type { Clock, IdSource } from '../../src/core/ports.js';
import type { Deps, TextOutput } from '../../src/deps.js';

/** Command tests answer only confirmations; the compose wizard is tested with real prompts under a terminal. */
const unexpected = async (message: string): Promise<never> => {
  throw new Error(`unexpected prompt: ${message}`);
};

/** A stream that remembers what was written and can pretend to be a terminal or a pipe. */
export class FakeOutput implements TextOutput {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 120,
  ) {}
  write(chunk: string): void {
    this.text += chunk;
  }
}

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  constructor(private current = new Date('2026-11-28T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/**
 * Real time moved to another instant: sends pace and wait as they really do, while a test jumps to 22:00, to the
 * next morning or to a daylight-saving night.
 */
export class ShiftedClock implements Clock {
  private offset = 0;
  constructor(at?: Date) {
    if (at !== undefined) this.set(at);
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  /** From now on the clock reads `at`, and goes on from there. */
  set(at: Date): void {
    this.offset = at.getTime() - Date.now();
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** Ids `sub_0001`, `sub_0002`, … in order. */
export function sequentialIds(counters: Map<string, number> = new Map()): IdSource {
  return {
    next: (prefix) => {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      return `${prefix}${String(n).padStart(4, '0')}`;
    },
  };
}

/**
 * Ids go on from one context to the next in the same home, per prefix (sub_0001, then sub_0002 in the next command),
 * as random ids never repeat: the store refuses a second subscriber with an id it has.
 */
const countersByHome = new Map<string, Map<string, number>>();

export interface FakeDepsOptions {
  /** Pretend stdin, stdout and stderr are terminals (true) or pipes (false, the default). */
  readonly tty?: boolean;
  readonly env?: Record<string, string | undefined>;
  readonly home?: string;
  /** Answers the confirmation prompt gives, in order; a prompt with no answer left fails the test. */
  readonly answers?: boolean[];
  readonly clock?: FakeClock | ShiftedClock;
}

export interface FakeDeps {
  readonly deps: Deps;
  readonly stdout: FakeOutput;
  readonly stderr: FakeOutput;
  readonly clock: FakeClock | ShiftedClock;
  /** The questions the prompt was asked. */
  readonly asked: string[];
}

/** Deps for command tests: fake IO, fake clock, sequential ids, and a home given through CANALE_HOME. */
export function fakeDeps(options: FakeDepsOptions = {}): FakeDeps {
  const tty = options.tty ?? false;
  const stdout = new FakeOutput(tty);
  const stderr = new FakeOutput(tty);
  const clock = options.clock ?? new FakeClock();
  const answers = [...(options.answers ?? [])];
  const asked: string[] = [];
  const deps: Deps = {
    io: { stdout, stderr, stdinIsTTY: tty },
    env: { ...(options.home === undefined ? {} : { CANALE_HOME: options.home }), ...options.env },
    cwd: options.home ?? '/',
    clock,
    ids: options.home === undefined ? sequentialIds() : sequentialIds(countersByHome.get(options.home) ?? countersByHome.set(options.home, new Map()).get(options.home)),
    prompter: {
      confirm: async (message) => {
        asked.push(message);
        const answer = answers.shift();
        if (answer === undefined) throw new Error(`unexpected prompt: ${message}`);
        return answer;
      },
      input: unexpected,
      checkbox: unexpected,
      select: unexpected,
      editor: unexpected,
    },
    version: '0.0.0-test',
    persistence: persistenceFor,
    subscriberStore: subscriberStoreFor,
    transports: homeTransports,
  };
  return { deps, stdout, stderr, clock, asked };
}
