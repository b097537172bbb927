import { CanaleError } from '../../core/errors.js';

/** What to do once the disk is fixed, unless the caller knows better (a send says how to resume it). */
const AGAIN = 'run the same command again';

interface DiskProblem {
  readonly code: 'DISK_FULL' | 'DISK_READ_ONLY' | 'DISK_IO';
  /** What is wrong and what to do about it, without what to run next. */
  readonly say: (path: string) => string;
  /** How what to run next is joined on. */
  readonly then: string;
}

/** The errors that say the disk itself refused a write: nothing canale or the person typed is wrong. */
const DISK_CODES: Readonly<Record<string, DiskProblem>> = {
  ENOSPC: { code: 'DISK_FULL', say: (path) => `the disk holding ${path} is full: free space`, then: ' and ' },
  EDQUOT: { code: 'DISK_FULL', say: (path) => `the disk holding ${path} is full (your disk quota is used up): free space`, then: ' and ' },
  EROFS: { code: 'DISK_READ_ONLY', say: (path) => `the disk holding ${path} is read-only: make it writable`, then: ' and ' },
  EIO: { code: 'DISK_IO', say: (path) => `${path} could not be written (I/O error): check the disk`, then: ', then ' },
};

/** The codes of the CanaleErrors `asDiskError` makes. */
export const DISK_ERROR_CODES: ReadonlySet<string> = new Set(['DISK_FULL', 'DISK_READ_ONLY', 'DISK_IO']);

function problemOf(error: unknown): DiskProblem | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(DISK_CODES, code) ? DISK_CODES[code] : undefined;
}

/** The sentence for a disk error (ENOSPC, EDQUOT, EROFS, EIO) at `path`, or undefined when `error` is not one. */
export function describeDiskError(error: unknown, path: string, then: string = AGAIN): string | undefined {
  const problem = problemOf(error);
  return problem === undefined ? undefined : `${problem.say(path)}${then === '' ? '' : `${problem.then}${then}`}`;
}

/**
 * A disk error as the CanaleError a person reads (exit 1), naming `path` — writes on an open file handle throw
 * without a path, so the adapter that knows what it was writing wraps them. Any other error is returned unchanged.
 */
export function asDiskError(error: unknown, path: string, then: string = AGAIN): unknown {
  const problem = error instanceof CanaleError ? undefined : problemOf(error);
  return problem === undefined ? error : new CanaleError(problem.code, describeDiskError(error, path, then) as string, { cause: error });
}

/** Whether `error` is one made by `asDiskError`. */
export function isDiskCanaleError(error: unknown): error is CanaleError {
  return error instanceof CanaleError && DISK_ERROR_CODES.has(error.code);
}

/** The stable code of a disk error (`DISK_FULL`, `DISK_READ_ONLY`, `DISK_IO`), or undefined when it is not one. */
export function diskCode(error: unknown): string | undefined {
  return problemOf(error)?.code;
}
