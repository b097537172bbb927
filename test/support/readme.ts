import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from './cli.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The shell lines of the `nth` ```sh block after a README heading, as a person pastes them: comment lines and
 * trailing `  # …` comments dropped, `\` continuations joined.
 */
export async function readmeShellLines(heading: string, nth = 0): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`README.md has no heading ${heading}`);
  const blocks = [...readme.slice(at).matchAll(/```sh\n([\s\S]*?)```/g)];
  const block = blocks[nth]?.[1];
  if (block === undefined) throw new Error(`README.md has no shell block ${nth} after ${heading}`);
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The README's own text, for commands it gives inside a sentence. */
export async function readmeText(): Promise<string> {
  return readFile(join(ROOT, 'README.md'), 'utf8');
}

/** A folder holding a `canale` on the PATH that runs the built binary, as an installed canale would. */
export async function canaleOnPath(dir: string): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'canale'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  await chmod(join(bin, 'canale'), 0o755);
  return bin;
}

/** A TCP port free on 127.0.0.1 right now, for the fixed ports the README's walkthroughs name. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `export KEY=VALUE` lines (values possibly in double quotes), as `. ./sandbox.env` would set them. */
export function exportsIn(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^export (\w+)=(?:"([^"]*)"|(\S*))$/gm)) env[match[1] as string] = match[2] ?? match[3] ?? '';
  return env;
}

/** A line a walkthrough runs in the background (`… &`), with what it has printed so far. */
export interface Background {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once stdout or stderr matches. */
  readonly until: (pattern: RegExp) => Promise<void>;
  readonly stop: () => Promise<void>;
}

/** Starts a shell line that ends in `&` (the `&` removed), as the shell would. */
export function startInBackground(line: string, options: { cwd: string; env: Record<string, string> }): Background {
  const child = spawn('sh', ['-c', `exec ${line.replace(/&\s*$/, '')}`], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const check = () => {
    for (const w of [...waiting]) {
      if (w.pattern.test(stdout) || w.pattern.test(stderr)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), check()));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => ((stderr += chunk), check()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    until: (pattern) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ pattern, resolve });
        check();
        void exited.then(() => reject(new Error(`${line} ended before printing ${pattern}:\n${stdout}\n${stderr}`)));
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
