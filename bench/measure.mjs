// Runs a command as a child process and reports its wall time and peak memory (max RSS, via max-rss.mjs).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const preload = fileURLToPath(new URL('./max-rss.mjs', import.meta.url));

/** `{ ms, rssBytes, code, stdout, stderr }` of `node args…`. */
export function measureNode(args, { env = {}, input = '' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'canale-bench-rss-'));
  const rssFile = join(dir, 'rss');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', preload, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env, BENCH_RSS_FILE: rssFile },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      let rssBytes = NaN;
      try {
        rssBytes = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        // the process died before its exit handler ran
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ ms, rssBytes, code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

export const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Prints the `| what | time | × reference | peak memory | goal |` table of measured runs, the first row being the
 * reference, and returns whether every other run took at most `ratio` times the reference and under `rssBytes`.
 */
export function printGoalTable(rows, { ratio, rssBytes, rssLabel }) {
  const reference = rows[0][1];
  console.log('| what | time | × reference | peak memory | goal |');
  console.log('|---|---|---|---|---|');
  let ok = true;
  for (const [label, r] of rows) {
    const times = r.ms / reference.ms;
    const isReference = r === reference;
    const pass = isReference || (times <= ratio && r.rssBytes < rssBytes);
    ok &&= pass;
    const goal = isReference ? '' : `≤ ${ratio}× and < ${rssLabel}: ${pass ? 'met' : 'NOT met'}`;
    console.log(`| ${label} | ${sec(r.ms)} | ${isReference ? '1.00' : times.toFixed(2)}× | ${mb(r.rssBytes)} | ${goal} |`);
  }
  return ok;
}
