/**
 * The one error type canale throws on purpose. `code` is stable (scripts and tests match on it), `exit` says
 * which exit code of DESIGN §4 it maps to, and `message` is a sentence a person can act on. Anything else that
 * is thrown is a bug and is reported as an internal error.
 */
export type ExitKind = 'failed' | 'usage' | 'busy' | 'interrupted';

export class CanaleError extends Error {
  readonly code: string;
  readonly exit: ExitKind;

  constructor(code: string, message: string, options: { exit?: ExitKind; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CanaleError';
    this.code = code;
    this.exit = options.exit ?? 'failed';
  }
}

/** A mistake in how the command was called: exit 2. */
export function usageError(code: string, message: string): CanaleError {
  return new CanaleError(code, message, { exit: 'usage' });
}

export function isCanaleError(error: unknown): error is CanaleError {
  return error instanceof CanaleError;
}

/** The exit codes of DESIGN §4. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  partial: 3,
  busy: 4,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeOf(kind: ExitKind): ExitCode {
  switch (kind) {
    case 'failed':
      return EXIT.failed;
    case 'usage':
      return EXIT.usage;
    case 'busy':
      return EXIT.busy;
    case 'interrupted':
      return EXIT.interrupted;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}
