// Issue 17's store benchmark: a store of N subscribers (default 1,000,000, 361 MB), next to the bare JSON reference
// (read, JSON.parse, JSON.stringify, write the same file) in the same run:
// - `subscribers count --topic cantieri` (a streamed pass): no slower than before the ports (0.18–0.5× the reference);
// - `subscribers add`: ≤ 0.3 s and < 300 MB. The first transaction on a db.json without its index (generated here,
//   as an older canale's home) makes the index from the file once: shown apart; the adds after it are the goal;
// - 1,000 replies applied in one transaction as the webhook server applies a batch: ≤ 1 s.
import { mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateStore } from './generate-store.mjs';
import { mb, measureNode, sec } from './measure.mjs';

const BIN = fileURLToPath(new URL('../bin/canale.js', import.meta.url));
const REFERENCE = fileURLToPath(new URL('./json-roundtrip.mjs', import.meta.url));
const REPLIES = fileURLToPath(new URL('./store-replies.mjs', import.meta.url));
const ADD_MS = 300;
const ADD_RSS = 300 * 1024 * 1024;
const COUNT_RATIO = 0.5;
const REPLIES_MS = 1_000;

const median = (runs) => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];

export async function benchStore(count = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000)) {
  const dir = mkdtempSync(join(tmpdir(), 'canale-bench-store-'));
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  writeFileSync(join(home, 'config.json'), '{"version":1,"settings":{}}\n', { mode: 0o600 });
  const db = join(home, 'db.json');
  const env = { CANALE_HOME: home };
  const cli = async (...args) => {
    const run = await measureNode([BIN, ...args], { env });
    if (run.code !== 0) throw new Error(`canale ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
    return run;
  };
  try {
    console.log(`\n## store: ${count.toLocaleString('en')} subscribers`);
    await generateStore(db, count);
    console.log(`db.json: ${mb(statSync(db).size)}`);
    const reference = await measureNode([REFERENCE, db, join(dir, 'copy.json')]);
    if (reference.code !== 0) throw new Error(`reference failed: ${reference.stderr}`);
    const counted = await cli('subscribers', 'count', '--topic', 'cantieri');
    const first = await cli('subscribers', 'add', '--phone', '+39 320 000 0001', '--topics', 'cantieri', '--quiet');
    const adds = [];
    for (let i = 2; i <= 6; i++) adds.push(await cli('subscribers', 'add', '--phone', `+39 320 000 000${i}`, '--topics', 'cantieri', '--quiet'));
    const add = median(adds);
    const worstAddRss = Math.max(...adds.map((a) => a.rssBytes));
    const replies = await measureNode([REPLIES, db, String(count), '1000']);
    if (replies.code !== 0) throw new Error(`replies failed: ${replies.stderr}`);
    const batch = JSON.parse(replies.stdout);
    const after = await cli('subscribers', 'count');
    const countRatio = counted.ms / reference.ms;
    const goals = {
      count: countRatio <= COUNT_RATIO,
      add: add.ms <= ADD_MS && worstAddRss < ADD_RSS,
      replies: batch.ms <= REPLIES_MS,
    };
    console.log('| what | time | × reference | peak memory | goal |');
    console.log('|---|---|---|---|---|');
    console.log(`| reference: JSON.parse + stringify + write | ${sec(reference.ms)} | 1.00× | ${mb(reference.rssBytes)} | |`);
    console.log(`| canale subscribers count --topic cantieri | ${sec(counted.ms)} | ${countRatio.toFixed(2)}× | ${mb(counted.rssBytes)} | ≤ ${COUNT_RATIO}× (before: 0.18–0.5×): ${goals.count ? 'met' : 'NOT met'} |`);
    console.log(`| first subscribers add: makes db.json.index from the file (once) | ${sec(first.ms)} | ${(first.ms / reference.ms).toFixed(2)}× | ${mb(first.rssBytes)} | (once per older home) |`);
    console.log(`| canale subscribers add (median of 5) | ${sec(add.ms)} | ${(add.ms / reference.ms).toFixed(3)}× | ${mb(worstAddRss)} (worst) | ≤ 0.3 s and < 300 MB (before: 8.7–20 s): ${goals.add ? 'met' : 'NOT met'} |`);
    console.log(`| 1,000 replies in one transaction (${batch.changed} changed, ${batch.optOuts} opt-outs) | ${sec(batch.ms)} | | ${mb(replies.rssBytes)} | ≤ 1 s: ${goals.replies ? 'met' : 'NOT met'} |`);
    console.log(`counted ${counted.stdout.trim()} following cantieri; after the adds the store holds ${after.stdout.trim()}`);
    return Object.values(goals).every(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = (await benchStore()) ? 0 : 1;
