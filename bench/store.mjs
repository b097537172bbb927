// Issue 2's benchmark: a store of N subscribers (default 1,000,000); `subscribers count --topic cantieri` and one
// `subscribers add`, each next to a bare JSON.parse + JSON.stringify + write of the same file, in the same run.
import { mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateStore } from './generate-store.mjs';
import { mb, measureNode, printGoalTable } from './measure.mjs';

const BIN = fileURLToPath(new URL('../bin/canale.js', import.meta.url));
const REFERENCE = fileURLToPath(new URL('./json-roundtrip.mjs', import.meta.url));
const GOAL_RATIO = 3;
const GOAL_RSS = 1024 * 1024 * 1024;

export async function benchStore(count = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000)) {
  const dir = mkdtempSync(join(tmpdir(), 'canale-bench-store-'));
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  writeFileSync(join(home, 'config.json'), '{"version":1,"settings":{}}\n', { mode: 0o600 });
  const db = join(home, 'db.json');
  try {
    console.log(`\n## store: ${count.toLocaleString('en')} subscribers`);
    await generateStore(db, count);
    console.log(`db.json: ${mb(statSync(db).size)}`);

    const env = { CANALE_HOME: home };
    const reference = await measureNode([REFERENCE, db, join(dir, 'copy.json')]);
    if (reference.code !== 0) throw new Error(`reference failed: ${reference.stderr}`);
    const count1 = await measureNode([BIN, 'subscribers', 'count', '--topic', 'cantieri'], { env });
    if (count1.code !== 0) throw new Error(`count failed: ${count1.stderr}`);
    const add = await measureNode([BIN, 'subscribers', 'add', '--phone', '+39 320 000 0001', '--topics', 'cantieri', '--quiet'], { env });
    if (add.code !== 0) throw new Error(`add failed: ${add.stderr}`);
    const after = await measureNode([BIN, 'subscribers', 'count'], { env });

    const rows = [
      ['reference: JSON.parse + stringify + write', reference],
      ['canale subscribers count --topic cantieri', count1],
      ['canale subscribers add', add],
    ];
    const ok = printGoalTable(rows, { ratio: GOAL_RATIO, rssBytes: GOAL_RSS, rssLabel: '1 GB' });
    console.log(`counted ${count1.stdout.trim()} following cantieri; after the add the store holds ${after.stdout.trim()}`);
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
