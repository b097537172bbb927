import { afterEach, beforeEach } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/canale.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `bin/canale.js` as a user would, in a pipe (no terminal), with a clean environment. */
export function runCli(
  args: readonly string[],
  options: { home: string; env?: Record<string, string>; input?: string; cwd?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? options.home,
      env: { PATH: process.env.PATH ?? '', HOME: options.home, CANALE_HOME: options.home, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh temporary folder; the home is `<dir>/home` so tests can check it gets created. */
export async function tempDir(): Promise<{ dir: string; home: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'canale-test-'));
  return { dir, home: join(dir, 'home'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A fresh temporary folder for each test of the file, removed after it; `cli` runs canale with its home there. */
export function useTempHome(): { readonly dir: string; readonly home: string; cli: (...args: string[]) => Promise<CliResult> } {
  let current: Awaited<ReturnType<typeof tempDir>> | undefined;
  beforeEach(async () => {
    current = await tempDir();
  });
  afterEach(async () => {
    await current?.cleanup();
  });
  const get = () => {
    if (current === undefined) throw new Error('useTempHome() is only usable inside a test');
    return current;
  };
  return {
    get dir() {
      return get().dir;
    },
    get home() {
      return get().home;
    },
    cli: (...args) => runCli(args, { home: get().home, cwd: get().dir }),
  };
}

/** Starts the built `bin/canale.js` without waiting for it: for tests that signal or kill it mid-run. */
export function startCli(
  args: readonly string[],
  options: { home: string; env?: Record<string, string>; cwd?: string },
): { readonly child: ReturnType<typeof spawn>; readonly stderr: () => string; readonly done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? options.home,
    env: { PATH: process.env.PATH ?? '', HOME: options.home, CANALE_HOME: options.home, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

/** `canale webhook serve --port 0` started in a home; `url` is the address it prints once it listens. */
export function startWebhookServe(options: { home: string; env?: Record<string, string>; cwd?: string }): { readonly server: ReturnType<typeof startCli>; readonly url: Promise<string> } {
  const server = startCli(['webhook', 'serve', '--port', '0'], options);
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    server.child.stdout?.on('data', (chunk: Buffer | string) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void server.done.then((r) => reject(new Error(`webhook serve exited early: ${r.stderr}`)));
  });
  return { server, url };
}
