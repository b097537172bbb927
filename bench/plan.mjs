// Issue 17's planning benchmark: a send's plan at a city's scale. A store of N subscribers (default 1,000,000, from
// generate-store.mjs); `canale send --topic cantieri --message M --dry-run --json` (the same plan `send`, `preview`
// and the confirmation use) through the built binary, next to the bare JSON reference (read, JSON.parse,
// JSON.stringify, write the same db.json) in the same run. Goal: no slower than before the persistence ports — issue
// 17 measured 9 s and 522 MB for 285,714 of 1,000,000; the commit before them (4594a38), run with this file on this
// machine, took 5.8 s and 626 MB for these 279,999 — checked as time ≤ 9 s and peak memory ≤ 650 MB (626 MB and
// the noise of a garbage-collected heap), with the reference beside it to show how loaded the machine was.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateStore } from './generate-store.mjs';
import { mb, measureNode, sec } from './measure.mjs';

const BIN = fileURLToPath(new URL('../bin/canale.js', import.meta.url));
const REFERENCE = fileURLToPath(new URL('./json-roundtrip.mjs', import.meta.url));
const GOAL_MS = 9_000;
const GOAL_RSS = 650 * 1024 * 1024;

export const MESSAGE = `---
topics: [cantieri]
subject: Lavori in via Nazionale dal 2 dicembre
---
Ciao {{nome | "cittadina, cittadino"}}, dal 2 dicembre via Nazionale è chiusa al traffico per tre settimane.
`;

export async function benchPlan(count = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000)) {
  const dir = mkdtempSync(join(tmpdir(), 'canale-bench-plan-'));
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  writeFileSync(join(home, 'config.json'), '{"version":1,"settings":{}}\n', { mode: 0o600 });
  const db = join(home, 'db.json');
  const message = join(dir, 'cantieri.md');
  writeFileSync(message, MESSAGE);
  try {
    console.log(`\n## planning a send: ${count.toLocaleString('en')} subscribers`);
    await generateStore(db, count);
    const reference = await measureNode([REFERENCE, db, join(dir, 'copy.json')]);
    if (reference.code !== 0) throw new Error(`reference failed: ${reference.stderr}`);
    const plan = await measureNode([BIN, 'send', '--topic', 'cantieri', '--message', message, '--dry-run', '--json'], { env: { CANALE_HOME: home } });
    if (plan.code !== 0) throw new Error(`send --dry-run failed (${plan.code}): ${plan.stderr}`);
    const recipients = JSON.parse(plan.stdout).plan.recipients.total;
    const ok = plan.ms <= GOAL_MS && plan.rssBytes <= GOAL_RSS;
    console.log('| what | time | × reference | peak memory | goal |');
    console.log('|---|---|---|---|---|');
    console.log(`| reference: JSON.parse + stringify + write | ${sec(reference.ms)} | 1.00× | ${mb(reference.rssBytes)} | |`);
    console.log(
      `| canale send --dry-run: ${recipients.toLocaleString('en')} recipients planned | ${sec(plan.ms)} | ${(plan.ms / reference.ms).toFixed(2)}× | ${mb(plan.rssBytes)} | ≤ ${sec(GOAL_MS)} and ≤ ${mb(GOAL_RSS)} (before: 5.8 s, 626 MB): ${ok ? 'met' : 'NOT met'} |`,
    );
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = (await benchPlan()) ? 0 : 1;
