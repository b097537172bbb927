// Issue 15's load test: citizens' replies at a city's scale. For each store size (default 100,000 and 1,000,000
// subscribers in the default store, db.json from generate-store.mjs), `canale webhook serve` runs and a `canale send`
// of topic "cantieri" runs through a Graph stand-in (a child process) at --rate 200; then 5,000 signed inbound
// messages — half "STOP", a quarter "STOP cantieri", a quarter "grazie" — from recipients of that send just ahead of
// it in its queue, posted by 50 keep-alive clients (each posts its next one when the last is answered; latency is
// from a post's start to its answer). Goals: every post 200, p99 < 250 ms (stretch < 50 ms), none lost (each
// sender's record in db.json at the end, read in one streamed pass), every STOP applied within 5 s of its 200 (its
// batch's end, from the server's per-batch stderr line, matched to its event-log line), no STOP sender given the
// campaign message after their 200 + 2 s (the stand-in's accept time per number), and a handful of store writes
// for the whole load, printed beside one `canale subscribers add` of the same home (one full store write).
// BENCH=1: 100,000 only and 1,000 messages. BENCH_REPLIES_SIZES=100000,1000000 and BENCH_REPLIES_MESSAGES set them.
// BENCH_KEEP=1 keeps the temporary homes and the server's log (server.log).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { generateStore, subscriber } from './generate-store.mjs';
import { measureNode, sec } from './measure.mjs';
import { campaignAfterStop, checkStore, percentile, readBatches } from './replies-checks.mjs';

const BIN = fileURLToPath(new URL('../bin/canale.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const QUICK = process.env.BENCH !== undefined;
const SIZES = (process.env.BENCH_REPLIES_SIZES ?? (QUICK ? '100000' : '100000,1000000')).split(',').map(Number);
const MESSAGES = Number(process.env.BENCH_REPLIES_MESSAGES ?? (QUICK ? 1000 : 5000));
const CLIENTS = 50;
const SEND_RATE = 200;
const WARMUP = 250;
const HEAD_START = SEND_RATE * 2;
const GOAL_P99_MS = 250;
const STRETCH_P99_MS = 50;
const VISIBLE_MS = 5000;
const GRACE_MS = 2000;
const TOPIC = 'cantieri';
const RUNNING = fileURLToPath(new URL('../fixtures/messages/cantieri-via-nazionale.md', import.meta.url));
const TEXTS = ['STOP', 'STOP', `STOP ${TOPIC}`, 'grazie'];
const KINDS = ['stop', 'stop', 'topic-stop', 'thanks'];

/** The child: the Graph stand-in, telling how far the campaign (its template messages) got, and at the end what it accepted. */
async function serve() {
  const { GraphStandIn } = await import('../dist/adapters/sandbox/graph-stand-in.js');
  const { SANDBOX_ACCOUNT } = await import('../dist/commands/sandbox.js');
  const { systemClock } = await import('../dist/adapters/clock.js');
  const graph = new GraphStandIn({ port: 0, ...SANDBOX_ACCOUNT, clock: systemClock });
  process.send({ url: await graph.listen() });
  const campaign = () => graph.received.filter((m) => m.request?.type === 'template' && 'wamid' in m.outcome);
  process.on('message', (what) => {
    // the citizens about to write: their 24-hour window is open, as Meta's would be once they have written (the
    // stand-in opens it on its own /sandbox/inbound, which this load does not go through)
    if (what.open !== undefined) {
      for (const digits of what.open) graph.openWindowFor(digits);
      return process.send({ opened: what.open.length });
    }
    const sent = campaign();
    if (what === 'progress') process.send({ count: sent.length, last: sent.at(-1)?.to.replace(/^\+/, '') });
    else process.send({ sent: sent.map((m) => ({ to: m.to.replace(/^\+/, ''), at: Date.parse(m.at) })), confirmations: graph.received.length - sent.length });
  });
}

async function ask(child, what) {
  child.send(what);
  const [answer] = await once(child, 'message');
  return answer;
}

async function canale(env, ...args) {
  const result = await measureNode([BIN, ...args], { env });
  if (result.code !== 0) throw new Error(`canale ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}

/** How many times db.json is replaced (a full store write: a fold of its change log) while watched: its inode, every 20 ms. */
function watchRewrites(db) {
  let last = statSync(db).ino;
  let count = 0;
  const timer = setInterval(() => {
    const ino = statSync(db, { throwIfNoEntry: false })?.ino;
    if (ino !== undefined && ino !== last) count++;
    last = ino ?? last;
  }, 20);
  return { stop: () => (clearInterval(timer), count) };
}

async function untilApplied(env) {
  for (;;) {
    const backlog = JSON.parse((await canale(env, 'webhook', 'status', '--json')).stdout);
    if (backlog.waitingLines === 0) return backlog;
    await sleep(100);
  }
}

/** Posts every body from CLIENTS clients, each waiting for its answer before its next post. */
async function post(pool, bodies) {
  const answers = new Array(bodies.length);
  let next = 0;
  const client = async () => {
    while (next < bodies.length) {
      const k = next++;
      const started = performance.now();
      let status = 0;
      try {
        const r = await pool.request({ path: '/webhooks/whatsapp', method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': bodies[k].signature }, body: bodies[k].body });
        await r.body.dump();
        status = r.statusCode;
      } catch {
        // counted as not answered 200
      }
      const now = performance.now();
      answers[k] = { status, ms: now - started, answeredAt: performance.timeOrigin + now };
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { answers, elapsed: (performance.now() - started) / 1000 };
}

/**
 * Where the load's store is, and how it is looked at: the home's JSON files by default (db.json generated, watched
 * for full rewrites, read at the end); bench/postgres-replies.mjs gives a PostgreSQL database instead.
 * - `prepare(home, count)`: makes the store of `count` generate-store.mjs subscribers, returns env for the commands;
 * - `watchWrites(home)`: a watcher of full store writes (`stop()` gives how many), or absent when there are none to
 *   watch (then neither the reference add nor the full-writes goal is shown);
 * - `batches(serverLog, home, env)`: readBatches of the server's log with the event log's lines;
 * - `check(home, env, expected)`: checkStore of the senders' records; `where` says what it read, `changes` what a
 *   store change is;
 * - `p99GoalMs`: the latency goal; `label`: after the size in the heading.
 */
export const HOME_STORE = {
  label: '',
  where: 'db.json at the end (one streamed read)',
  changes: 'appends to db.changes.jsonl, or folds',
  p99GoalMs: GOAL_P99_MS,
  prepare: async (home, count) => {
    await generateStore(join(home, 'db.json'), count);
    return {};
  },
  watchWrites: (home) => watchRewrites(join(home, 'db.json')),
  batches: async (serverLog, home) => readBatches(serverLog, join(home, 'webhooks', 'events.jsonl')),
  check: (home, env, expected) => checkStore(join(home, 'db.json'), expected, TOPIC),
};

/** One store size: `messages` replies (MESSAGES unless told) while a send runs, in the store `backend` gives. */
export async function benchSize(count, backend = HOME_STORE, messages = MESSAGES) {
  const { SANDBOX_ACCOUNT, whatsAppSandboxEnv } = await import('../dist/commands/sandbox.js');
  const { signatureOf } = await import('../dist/adapters/http/hub-signature.js');
  const { inboundPayload, metaJson } = await import('../dist/adapters/sandbox/status-webhooks.js');
  const dir = mkdtempSync(join(tmpdir(), 'canale-bench-replies-'));
  const home = join(dir, 'home');
  let standIn;
  let server;
  let send;
  let logFd;
  try {
    mkdirSync(home, { mode: 0o700 });
    const storeEnv = await backend.prepare(home, count);
    // the send's recipients in store order (the order it sends them), and others for the warm-up
    const recipients = [];
    const others = [];
    for (let i = 0; i < count; i++) {
      const s = subscriber(i);
      if (s.phone === undefined || s.status !== 'active' || s.channel !== 'whatsapp') continue;
      (s.topics.includes(TOPIC) ? recipients : others).push(s);
    }
    standIn = spawn(process.execPath, [SELF, '--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const [{ url: graphUrl }] = await once(standIn, 'message');
    const env = { CANALE_HOME: home, ...whatsAppSandboxEnv(graphUrl), ...storeEnv };
    await canale(env, 'config', 'set', 'quietHours.whatsapp', 'off'); // a benchmark runs at any hour
    await canale(env, 'templates', 'sync', '--quiet');
    // the reference: one command that reads and writes the whole store once, on this very home
    const reference = backend.watchWrites === undefined ? undefined : await canale(env, 'subscribers', 'add', '--phone', '+393999999999', '--name', 'Riferimento', '--topics', 'eventi');

    logFd = openSync(join(dir, 'server.log'), 'a');
    // its log goes to a file, as under systemd (a pipe read late would block its writes); read once it has stopped
    server = spawn(process.execPath, [BIN, 'webhook', 'serve', '--port', '0'], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', logFd] });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (c) => {
        out += c;
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      server.once('exit', (code) => reject(new Error(`webhook serve exited ${code}: ${readFileSync(join(dir, 'server.log'), 'utf8')}`)));
    });
    const ids = { wabaId: SANDBOX_ACCOUNT.wabaId, phoneNumberId: SANDBOX_ACCOUNT.phoneNumberId, displayNumber: '390000000000' };
    const body = (s, text, wamid) => {
      const b = metaJson(inboundPayload({ wamid, from: s.phone.slice(1), at: new Date(), name: s.name, text }, ids));
      return { body: b, signature: signatureOf(b, SANDBOX_ACCOUNT.appSecret) };
    };
    const pool = new Pool(url, { connections: CLIENTS, pipelining: 1, keepAliveTimeout: 30_000 });
    // a warm-up of "grazie" from citizens outside the send (a fresh process answers its first posts slowly)
    const warm = await post(pool, others.slice(0, WARMUP).map((s, k) => body(s, 'grazie', `wamid.bench-warm-${k}`)));
    const before = await untilApplied(env);

    send = spawn(process.execPath, [BIN, 'send', '--message', RUNNING, '--channel', 'whatsapp', '--rate', String(SEND_RATE), '--yes', '--json', '--quiet'], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let sendErr = '';
    send.stderr.on('data', (c) => (sendErr += c));
    let progress;
    for (;;) {
      progress = await ask(standIn, 'progress');
      if (progress.count > 0) break;
      if (send.exitCode !== null) throw new Error(`the send exited ${send.exitCode} before sending: ${sendErr}`);
      await sleep(100);
    }
    // the senders: recipients a little ahead of the one the send reached (2 s at its rate), in queue order, so the
    // send catches up with them while they write (it sends faster than they are posted)
    const at = recipients.findIndex((s) => s.phone.slice(1) === progress.last) + HEAD_START;
    const senders = recipients.slice(at + 1, at + 1 + messages);
    if (senders.length < messages) throw new Error(`topic ${TOPIC} has ${recipients.length} WhatsApp recipients: too few for ${messages} messages after position ${at}`);
    await ask(standIn, { open: senders.map((s) => s.phone.slice(1)) });
    const bodies = senders.map((s, k) => body(s, TEXTS[k % 4], `wamid.bench-${k}`));
    const rewrites = backend.watchWrites?.(home);
    const load = await post(pool, bodies);
    await pool.close();
    const sendWasRunning = send.exitCode === null;
    const applied = await untilApplied(env);
    const fullWrites = rewrites?.stop();
    // the send goes on until it has passed every sender, or 20 s more: a STOP not honoured shows up meanwhile
    const lastSender = senders.at(-1).phone.slice(1);
    const deadline = performance.now() + 20_000;
    while (send.exitCode === null && performance.now() < deadline && (await ask(standIn, 'progress')).last !== lastSender) await sleep(250);
    const { last } = await ask(standIn, 'progress');
    const reached = recipients.findIndex((s) => s.phone.slice(1) === last) - at;
    send.kill('SIGTERM');
    await once(send, 'exit').catch(() => {});
    const { sent, confirmations } = await ask(standIn, 'sent');
    server.kill('SIGTERM');
    await once(server, 'exit');

    const { batches, appliedAt } = await backend.batches(join(dir, 'server.log'), home, env);
    const loadBatches = batches.filter((b) => b.to > before.applied);
    const writeBatches = loadBatches.filter((b, k) => b.storeWrites > (k === 0 ? before.storeWrites : loadBatches[k - 1].storeWrites));
    const writeSeconds = writeBatches.reduce((s, b) => s + (b.end - b.start), 0) / 1000;
    const stops = senders
      .map((s, k) => ({ s, k, kind: KINDS[k % 4] }))
      .filter((x) => x.kind !== 'thanks')
      .map(({ s, k }) => ({ digits: s.phone.slice(1), answeredAt: load.answers[k].answeredAt, visibleMs: (appliedAt(`wamid.bench-${k}`) ?? Infinity) - load.answers[k].answeredAt }));
    const visible = stops.map((x) => x.visibleMs).sort((a, b) => a - b);
    const expected = new Map(senders.map((s, k) => [s.id, { kind: KINDS[k % 4], original: s }]));
    const store = await backend.check(home, env, expected);
    const after = campaignAfterStop(stops, sent, GRACE_MS);
    const latencies = load.answers.map((a) => a.ms).sort((a, b) => a - b);
    const ok200 = load.answers.filter((a) => a.status === 200).length;
    const p99 = percentile(latencies, 99);
    const storeWrites = applied.storeWrites - before.storeWrites;

    const met = (b) => (b ? 'met' : 'NOT met');
    const goals = {
      answered: ok200 === messages,
      p99: p99 < backend.p99GoalMs,
      lost: store.seen === messages && store.wrong.length === 0,
      visible: visible.at(-1) <= VISIBLE_MS,
      late: after.late.length === 0,
      writes: fullWrites === undefined || fullWrites <= 10,
      running: sendWasRunning,
    };
    console.log(`\n### ${count.toLocaleString('en')} subscribers${backend.label}: ${messages.toLocaleString('en')} replies from ${CLIENTS} clients while a send of "${TOPIC}" (${recipients.length.toLocaleString('en')} recipients) runs at --rate ${SEND_RATE}`);
    console.log('| what | figure | goal / reference | |');
    console.log('|---|---|---|---|');
    console.log(`| posts answered 200 | ${ok200.toLocaleString('en')} of ${messages.toLocaleString('en')} in ${load.elapsed.toFixed(1)} s (${Math.round(messages / load.elapsed).toLocaleString('en')} a second) | all | ${met(goals.answered)} |`);
    console.log(`| latency p50 / p99 / max | ${percentile(latencies, 50).toFixed(1)} / ${p99.toFixed(1)} / ${latencies.at(-1).toFixed(1)} ms | p99 < ${backend.p99GoalMs} ms${backend.p99GoalMs > STRETCH_P99_MS ? ` (stretch < ${STRETCH_P99_MS} ms: ${met(p99 < STRETCH_P99_MS)})` : ''} | ${met(goals.p99)} |`);
    console.log(`| none lost: senders' records as asked in ${backend.where} | ${(store.seen - store.wrong.length).toLocaleString('en')} of ${messages.toLocaleString('en')} right | all (STOP unsubscribed, STOP ${TOPIC} left it, grazie unchanged) | ${met(goals.lost)} |`);
    console.log(`| STOP 200 → its batch applied (store written), p50 / p99 / max, over ${stops.length.toLocaleString('en')} STOPs | ${(percentile(visible, 50) / 1000).toFixed(2)} / ${(percentile(visible, 99) / 1000).toFixed(2)} / ${(visible.at(-1) / 1000).toFixed(2)} s | every one ≤ ${VISIBLE_MS / 1000} s (${visible.filter((v) => v > VISIBLE_MS).length} over) | ${met(goals.visible)} |`);
    console.log(`| campaign message to a STOP sender after their 200 + ${GRACE_MS / 1000} s | ${after.late.length} (${after.withinGrace} within the ${GRACE_MS / 1000} s, ${after.beforeStop} before the STOP, ${after.neverSent} never sent; the send passed ${Math.max(0, reached)} of the ${messages.toLocaleString('en')} senders' places in its queue) | 0 | ${met(goals.late)} |`);
    if (fullWrites !== undefined) console.log(`| full store writes for the load (db.json replaced, watched every 20 ms) | ${fullWrites} | a handful (≤ 10), not ${messages.toLocaleString('en')} | ${met(goals.writes)} |`);
    console.log(`| store changes for the load (${backend.changes}) / seconds in those batches | ${storeWrites} / ${writeSeconds.toFixed(2)} s (${loadBatches.length} batches) | (not a goal: the time from each batch's start to its end — lines read, receipts, the store change, opt-outs, cursor) | |`);
    if (reference !== undefined) console.log(`| reference: one full store write of this home (\`canale subscribers add\`, node start included) | ${sec(reference.ms)} | ${messages.toLocaleString('en')} writes would take ≈ ${((messages * reference.ms) / 1000 / 60).toFixed(0)} min | |`);
    console.log(`| before it, the warm-up: ${WARMUP} "grazie" from others, p99 | ${percentile(warm.answers.map((a) => a.ms).sort((a, b) => a - b), 99).toFixed(1)} ms | (not a goal) | |`);
    console.log(`confirmation requests the server made to the stand-in (accepted or not): ${confirmations.toLocaleString('en')}; campaign messages accepted: ${sent.length.toLocaleString('en')}`);
    if (!goals.running) console.log('the send had finished before the load did: the figures are not "while a send runs"');
    if (store.wrong.length > 0) console.log(`first wrong records: ${JSON.stringify(store.wrong.slice(0, 3))}`);
    if (after.late.length > 0) console.log(`first late messages: ${JSON.stringify(after.late.slice(0, 3))}`);
    return Object.values(goals).every(Boolean);
  } finally {
    send?.kill('SIGKILL');
    standIn?.kill('SIGTERM');
    if (server !== undefined && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    if (logFd !== undefined) closeSync(logFd);
    if (process.env.BENCH_KEEP) console.log(`kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchReplies() {
  console.log(`\n## citizens' replies: ${MESSAGES.toLocaleString('en')} signed inbound messages (½ STOP, ¼ STOP ${TOPIC}, ¼ grazie) to \`webhook serve\` while a send runs, at ${SIZES.map((n) => n.toLocaleString('en')).join(' and ')} subscribers`);
  let ok = true;
  for (const count of SIZES) ok = (await benchSize(count)) && ok;
  return ok;
}

if (process.argv.includes('--serve')) await serve();
else if (process.argv[1] === SELF) process.exitCode = (await benchReplies()) ? 0 : 1;
