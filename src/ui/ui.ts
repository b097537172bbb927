import { Chalk, type ChalkInstance } from 'chalk';
import type { Io, TextOutput } from '../deps.js';

/** Output settings every command shares: from the global flags and the environment. */
export interface UiOptions {
  readonly color: boolean;
  readonly quiet: boolean;
}

/**
 * Colour only on a terminal, never with NO_COLOR or --no-color; FORCE_COLOR forces it (DESIGN §3).
 * Decided once, from the injected streams, not from chalk's own look at the process.
 */
export function colorLevel(out: TextOutput, env: Readonly<Record<string, string | undefined>>, wanted: boolean): 0 | 1 {
  if (!wanted) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false' ? 0 : 1;
  return out.isTTY && env.TERM !== 'dumb' ? 1 : 0;
}

/** How a command talks: data to stdout, people-facing lines to stderr, `--quiet` silencing the latter. */
export class Ui {
  readonly color: ChalkInstance;
  readonly errColor: ChalkInstance;

  constructor(
    readonly io: Io,
    env: Readonly<Record<string, string | undefined>>,
    readonly options: UiOptions,
  ) {
    this.color = new Chalk({ level: colorLevel(io.stdout, env, options.color) });
    this.errColor = new Chalk({ level: colorLevel(io.stderr, env, options.color) });
  }

  /** A line of data on stdout. */
  out(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }

  /** Pretty JSON on stdout, for --json. */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON document on one line of stdout: for output of several documents in turn (JSON Lines). */
  jsonLine(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A note for people on stderr. */
  info(line: string): void {
    if (!this.options.quiet) this.io.stderr.write(`${line}\n`);
  }

  /** A done-line on stderr: `✓ added sub_…`. */
  success(line: string): void {
    this.info(`${this.errColor.green('✓')} ${line}`);
  }

  /** A warning on stderr; shown even with --quiet, because it is about something that matters. */
  warn(line: string): void {
    this.io.stderr.write(`${this.errColor.yellow('!')} ${line}\n`);
  }

  /** True when a person is at the keyboard: both stdin and stderr are terminals. */
  get isInteractive(): boolean {
    return this.io.stdinIsTTY && this.io.stderr.isTTY;
  }
}
