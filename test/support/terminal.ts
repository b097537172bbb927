import { spawn } from 'node:child_process';
import { BIN } from './cli.js';

export interface TerminalStep {
  /** Wait until the screen shows this… */
  readonly expect: RegExp;
  /** …then type this (`\r` is Enter, `\x1b[B` the down arrow, ` ` space). */
  readonly send: string;
}

// eslint-disable-next-line no-control-regex -- removing terminal escape sequences
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]|\u001b[()][AB0-2]|\u001b[=>]|\r/g;

/**
 * Runs the built binary under a real pseudo-terminal (util-linux `script`), typing each step's keys once the
 * screen shows what the step waits for — a readiness signal, never a sleep.
 */
export function runInTerminal(
  args: readonly string[],
  options: { env: Record<string, string>; cwd: string; steps: readonly TerminalStep[]; timeoutMs?: number },
): Promise<{ code: number | null; screen: string; raw: string }> {
  return runCommandInTerminal([process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), options);
}

/** Runs a shell command line under a real pseudo-terminal, typing each step's keys once the screen shows it. */
export function runCommandInTerminal(
  command: string,
  options: { env: Record<string, string>; cwd: string; steps: readonly TerminalStep[]; timeoutMs?: number },
): Promise<{ code: number | null; screen: string; raw: string }> {
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', TERM: 'xterm', COLUMNS: '100', LINES: '40', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let seen = 0;
  let step = 0;
  const advance = (): void => {
    const next = options.steps[step];
    if (next === undefined) return;
    const fresh = screen.slice(seen).replace(ESCAPES, '');
    if (next.expect.test(fresh)) {
      seen = screen.length;
      step++;
      child.stdin.write(next.send);
      advance();
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out at step ${step} waiting for ${options.steps[step]?.expect}; screen:\n${screen.replace(ESCAPES, '')}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      screen += chunk;
      advance();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen: screen.replace(ESCAPES, ''), raw: screen });
    });
  });
}
