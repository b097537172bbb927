// Issue 18's benchmark: canale on PostgreSQL at a city's scale, through the built binary, each figure next to its
// reference or goal, in one run on a server of its own (postgres-server.mjs: a throwaway cluster with fsync on, or
// CANALE_BENCH_DATABASE_URL's), a fresh database per part:
// 1. `canale subscribers import` of import.mjs's CSV of N rows (default 1,000,000) into an empty migrated database,
//    next to import.mjs's bare csv-parse pass over the same file: ≤ 3× (and < 1.5 GB, as the home's);
// 2. `canale subscribers add` at N: the whole command (median of 5) beside `canale --version` (Node's start and
//    every command's modules, the same for every backend) and `canale subscribers add --help` (the add command's
//    own modules, no store; medians of 5), and the store's own time of one add in-process (postgres-add.mjs,
//    median of 20): < 50 ms, the goal being the store's;
// 3. `canale subscribers count --topic cantieri` at N (whole command, median of 5): < 1 s;
// 4. `canale send --topic cantieri --dry-run` at N (plan.mjs's message; generate-store.mjs's subscribers, 28.6% in
//    cantieri): < 5 s and < 300 MB peak memory;
// 5. send.mjs's unthrottled WhatsApp send (default 100,000 messages) with the journal in PostgreSQL, next to its bare
//    undici loop: ≥ 0.5×;
// 6. replies.mjs's 5,000 citizens' replies from 50 clients to `webhook serve` on PostgreSQL at N: p99 < 50 ms.
// Parts 2–4 and 6 copy one database loaded once with N subscribers of generate-store.mjs through the ports.
// BENCH_PG_SUBSCRIBERS, BENCH_PG_MESSAGES, BENCH_PG_REPLIES and BENCH_PG_ROUNDS (import rounds) shrink it;
// BENCH_PG_PARTS=import runs part 1 only (BENCH_PG_PARTS=import,add,count,plan,send,replies: those named).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subscriber } from './generate-store.mjs';
import { generateCsv } from './import.mjs';
import { mb, measureNode, printGoalTable, sec } from './measure.mjs';
import { MESSAGE } from './plan.mjs';
import { benchRepliesPg } from './postgres-replies.mjs';
import { startServer } from './postgres-server.mjs';
import { benchUnthrottled, standInEnv, startStandIn } from './send.mjs';

const BIN = fileURLToPath(new URL('../bin/canale.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const IMPORT = fileURLToPath(new URL('./import.mjs', import.meta.url));
const LOAD = fileURLToPath(new URL('./postgres-load.mjs', import.meta.url));
const ADD = fileURLToPath(new URL('./postgres-add.mjs', import.meta.url));
const SUBSCRIBERS = Number(process.env.BENCH_PG_SUBSCRIBERS ?? 1_000_000);
const MESSAGES = Number(process.env.BENCH_PG_MESSAGES ?? 100_000);
const REPLIES = Number(process.env.BENCH_PG_REPLIES ?? 5_000);
const ROUNDS = Number(process.env.BENCH_PG_ROUNDS ?? 2);
const PARTS = ['import', 'add', 'count', 'plan', 'send', 'replies'];
const WANTED = (process.env.BENCH_PG_PARTS ?? PARTS.join(',')).split(',').map((p) => p.trim());
const unknown = WANTED.filter((p) => !PARTS.includes(p));
if (unknown.length > 0) throw new Error(`BENCH_PG_PARTS: ${unknown.join(', ')} is not one of ${PARTS.join(', ')}`);
const STORE = 'canale_bench_store';
const IMPORT_RATIO = 3;
const IMPORT_RSS = 1.5 * 1024 * 1024 * 1024;
const ADD_MS = 50;
const COUNT_MS = 1_000;
const PLAN_MS = 5_000;
const PLAN_RSS = 300 * 1024 * 1024;
const TOPIC = 'cantieri';

const n = (count) => count.toLocaleString('en');
const ms = (m) => `${m.toFixed(1)} ms`;
const met = (ok) => (ok ? 'met' : 'NOT met');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A home (config.json only) named `name` under `dir`. */
function makeHome(dir, name) {
  const home = join(dir, name);
  mkdirSync(home, { mode: 0o700 });
  writeFileSync(join(home, 'config.json'), '{"version":1,"settings":{}}\n', { mode: 0o600 });
  return home;
}

async function canale(env, ...args) {
  const run = await measureNode([BIN, ...args], { env });
  if (run.code !== 0) throw new Error(`canale ${args.join(' ')} exited ${run.code}: ${run.stderr.slice(0, 2000)}`);
  return run;
}

/** `times` runs of `canale args…`, one after the other. */
async function repeat(times, env, ...args) {
  const runs = [];
  for (let k = 0; k < times; k++) runs.push(await canale(env, ...args));
  return runs;
}

/** 1. The import into an empty migrated database, best of ROUNDS interleaved with import.mjs's reference. */
async function benchLoading(server, dir) {
  const csv = join(dir, 'iscritti.csv');
  console.log(`\n### PostgreSQL: loading ${n(SUBSCRIBERS)} subscribers — \`canale subscribers import FILE --yes\` into an empty migrated database, best of ${ROUNDS} interleaved rounds`);
  await generateCsv(csv, SUBSCRIBERS);
  console.log(`iscritti.csv: ${mb(statSync(csv).size)}`);
  const home = makeHome(dir, 'import');
  const rounds = [];
  for (let k = 0; k < ROUNDS; k++) {
    const reference = await measureNode([IMPORT, '--reference', csv]);
    if (reference.code !== 0 || Number(reference.stdout) !== SUBSCRIBERS) throw new Error(`reference failed: ${reference.stderr}${reference.stdout}`);
    const url = await server.fresh('canale_bench_import', { home });
    const run = await canale({ CANALE_HOME: home, CANALE_DATABASE_URL: url }, 'subscribers', 'import', csv, '--yes', '--json');
    const { inserted } = JSON.parse(run.stdout);
    if (inserted !== SUBSCRIBERS) throw new Error(`the import inserted ${inserted} of ${SUBSCRIBERS}: ${run.stdout.slice(0, 300)}`);
    rounds.push({ reference, run });
    await server.drop('canale_bench_import');
  }
  const best = (pick) => ({ ms: Math.min(...rounds.map((r) => pick(r).ms)), rssBytes: Math.max(...rounds.map((r) => pick(r).rssBytes)) });
  const ok = printGoalTable(
    [
      ['reference: bare csv-parse pass (import.mjs)', best((r) => r.reference)],
      ['canale subscribers import, empty database', best((r) => r.run)],
    ],
    { ratio: IMPORT_RATIO, rssBytes: IMPORT_RSS, rssLabel: '1.5 GB' },
  );
  const times = (pick) => rounds.map((r) => sec(pick(r).ms)).join(', ');
  console.log(`every round — reference: ${times((r) => r.reference)}; import: ${times((r) => r.run)}`);
  rmSync(csv, { force: true });
  return ok;
}

/** The database the later parts copy: SUBSCRIBERS of generate-store.mjs, loaded through the ports in one transaction. */
async function loadStore(server, dir) {
  const url = await server.fresh(STORE, { home: makeHome(dir, 'store') });
  const run = await measureNode([LOAD, url, String(SUBSCRIBERS)]);
  if (run.code !== 0) throw new Error(`loading the store failed (${run.code}): ${run.stderr}`);
  const { ms: loadMs, loaded } = JSON.parse(run.stdout);
  console.log(`\nthe store of parts 2–4 and 6: ${n(loaded)} subscribers of generate-store.mjs loaded through PgSubscriberStore.transaction (one COPY, indexes after) in ${sec(loadMs)}, peak memory ${mb(run.rssBytes)}; each part works on a copy of it`);
}

/** A copy of the store for the part `name`: its own home and database. */
async function storeCopy(server, dir, name) {
  const home = makeHome(dir, name);
  const url = await server.fresh(`canale_bench_${name}`, { template: STORE, home });
  return { home, url, env: { CANALE_HOME: home, CANALE_DATABASE_URL: url } };
}

/** 2. `subscribers add` at SUBSCRIBERS: the command, Node's start, and the store's own time. */
async function benchAdd(server, dir) {
  const { home, url, env } = await storeCopy(server, dir, 'add');
  const startup = await repeat(5, { CANALE_HOME: home }, '--version');
  // the add command's own modules (only `subscribers` is loaded), without the store: the tighter reference
  const helps = await repeat(5, env, 'subscribers', 'add', '--help');
  const commands = [];
  for (let k = 1; k <= 5; k++) commands.push(await canale(env, 'subscribers', 'add', '--phone', `+39 320 000 000${k}`, '--topics', TOPIC, '--quiet'));
  const inProcess = await measureNode([ADD, url, home, '20']);
  if (inProcess.code !== 0) throw new Error(`the in-process adds failed (${inProcess.code}): ${inProcess.stderr}`);
  const store = JSON.parse(inProcess.stdout).ms;
  await server.drop('canale_bench_add');
  const whole = median(commands.map((r) => r.ms));
  const ok = median(store) < ADD_MS;
  console.log(`\n### PostgreSQL: \`canale subscribers add\` at ${n(SUBSCRIBERS)} subscribers`);
  console.log('| what | time | peak memory | goal |');
  console.log('|---|---|---|---|');
  console.log(`| reference: \`canale --version\` — Node's start and every command's modules, the same for every backend (median of 5) | ${sec(median(startup.map((r) => r.ms)))} | ${mb(Math.max(...startup.map((r) => r.rssBytes)))} | |`);
  console.log(`| reference: \`canale subscribers add --help\` — Node's start and the subscribers commands' modules, no store (median of 5) | ${sec(median(helps.map((r) => r.ms)))} | ${mb(Math.max(...helps.map((r) => r.rssBytes)))} | |`);
  console.log(`| \`canale subscribers add\`, the whole command (median of 5) | ${sec(whole)} | ${mb(Math.max(...commands.map((r) => r.rssBytes)))} | (start included: not the goal's) |`);
  console.log(`| the store's add in-process: the catalogue read and the transaction add.ts makes (median of 20; first ${ms(store[0])}, worst ${ms(Math.max(...store))}) | ${ms(median(store))} | | < ${ADD_MS} ms, the store's time: ${met(ok)} |`);
  return ok;
}

/** 3. `subscribers count --topic cantieri` at SUBSCRIBERS, the whole command. */
async function benchCount(server, dir) {
  const { env } = await storeCopy(server, dir, 'count');
  const following = Array.from({ length: SUBSCRIBERS }, (_, i) => subscriber(i)).filter((s) => s.topics.includes(TOPIC)).length;
  const counts = await repeat(5, env, 'subscribers', 'count', '--topic', TOPIC);
  await server.drop('canale_bench_count');
  if (counts.some((r) => Number(r.stdout) !== following)) throw new Error(`count said ${counts.map((r) => r.stdout.trim()).join(', ')}, ${following} expected`);
  const whole = median(counts.map((r) => r.ms));
  const ok = whole < COUNT_MS;
  console.log(`\n### PostgreSQL: \`canale subscribers count --topic ${TOPIC}\` at ${n(SUBSCRIBERS)} subscribers (${n(following)} follow it)`);
  console.log('| what | time | peak memory | goal |');
  console.log('|---|---|---|---|');
  console.log(`| the whole command, Node's start included (median of 5) | ${sec(whole)} | ${mb(Math.max(...counts.map((r) => r.rssBytes)))} | < ${sec(COUNT_MS)}: ${met(ok)} |`);
  return ok;
}

/** 4. A send's plan at SUBSCRIBERS: `send --topic cantieri --dry-run`, as plan.mjs runs it on the home. */
async function benchPlan(server, dir) {
  const { env } = await storeCopy(server, dir, 'plan');
  const message = join(dir, 'cantieri.md');
  writeFileSync(message, MESSAGE);
  const plans = await repeat(3, env, 'send', '--topic', TOPIC, '--message', message, '--dry-run', '--json');
  await server.drop('canale_bench_plan');
  const recipients = JSON.parse(plans[0].stdout).plan.recipients.total;
  const time = median(plans.map((r) => r.ms));
  const rss = Math.max(...plans.map((r) => r.rssBytes));
  const ok = time < PLAN_MS && rss < PLAN_RSS;
  console.log(`\n### PostgreSQL: planning a send of "${TOPIC}" at ${n(SUBSCRIBERS)} subscribers — \`canale send --topic ${TOPIC} --dry-run --json\``);
  console.log('| what | time | peak memory | goal |');
  console.log('|---|---|---|---|');
  console.log(`| ${n(recipients)} recipients planned (median of 3, worst memory) | ${sec(time)} | ${mb(rss)} | < ${sec(PLAN_MS)} and < ${mb(PLAN_RSS)}: ${met(ok)} |`);
  console.log(`every run: ${plans.map((r) => `${sec(r.ms)}, ${mb(r.rssBytes)}`).join('; ')}`);
  return ok;
}

/** 5. send.mjs's unthrottled WhatsApp send with CANALE_DATABASE_URL set: the journal and campaign in PostgreSQL. */
async function benchSending(server, dir) {
  const sendDir = join(dir, 'send');
  mkdirSync(sendDir);
  const home = join(sendDir, 'whatsapp');
  const url = await server.fresh('canale_bench_send', { home });
  const standIn = await startStandIn();
  try {
    return await benchUnthrottled(sendDir, standIn, { ...standInEnv(standIn), CANALE_DATABASE_URL: url }, { count: MESSAGES, heading: '### PostgreSQL: send (journal and campaign in the database)' });
  } finally {
    standIn.stop();
    await server.drop('canale_bench_send');
  }
}

async function benchParts(server, dir) {
  const wanted = (part) => WANTED.includes(part);
  const results = [];
  if (wanted('import')) results.push(await benchLoading(server, dir));
  // the store of parts 2–4 and 6, loaded only when one of them runs
  if (['add', 'count', 'plan', 'replies'].some(wanted)) await loadStore(server, dir);
  if (wanted('add')) results.push(await benchAdd(server, dir));
  if (wanted('count')) results.push(await benchCount(server, dir));
  if (wanted('plan')) results.push(await benchPlan(server, dir));
  if (wanted('send')) results.push(await benchSending(server, dir));
  if (wanted('replies')) results.push(await benchRepliesPg(server, { template: STORE, count: SUBSCRIBERS, messages: REPLIES }));
  return results.every(Boolean);
}

export async function benchPostgres() {
  console.log(`\n## PostgreSQL: ${n(SUBSCRIBERS)} subscribers, ${n(MESSAGES)} WhatsApp messages, ${n(REPLIES)} replies`);
  const server = await startServer();
  if (server === undefined) return true;
  const dir = mkdtempSync(join(tmpdir(), 'canale-bench-postgres-'));
  try {
    console.log(`server: ${server.where}`);
    return await benchParts(server, dir);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === SELF) process.exitCode = (await benchPostgres()) ? 0 : 1;
