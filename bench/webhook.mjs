// Issue 7's load test: signed status webhooks at a fixed rate (default 1,000 a second for 30 s) against
// `canale webhook serve` (the built binary) while a `canale send` runs in the same home, with the sandbox posting
// that send's own receipts to the same server. Goals: none lost (every status posted is a `delivered` line in its
// campaign's journal) and p99 latency under 250 ms. BENCH=1 (5 s), BENCH_WEBHOOK_SECONDS and BENCH_WEBHOOK_RATE shorten it.
// The driver is a plain undici Pool loop at a fixed rate; latency is measured from each request's planned start,
// so a stalled server cannot hide its queue (no coordinated omission). The second stand-in runs in a child process.
// BENCH_KEEP=1 keeps the temporary home and the server's log (server.log) for a look afterwards.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { measureNode } from './measure.mjs';

const BIN = fileURLToPath(new URL('../bin/canale.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
// BENCH (any value) is a quick run of 5 s; BENCH_WEBHOOK_SECONDS sets the length
const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? (process.env.BENCH === undefined ? 30 : 5));
const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 1000);
const WARMUP = RATE * 3;
const GOAL_P99_MS = 250;
const RUNNING_RATE = 80;
// the fixtures' messages: the finished campaign uses the named template raccolta_rifiuti, the running one avviso_cantieri
const FINISHED = fileURLToPath(new URL('../fixtures/messages/raccolta-differenziata.md', import.meta.url));
const RUNNING = fileURLToPath(new URL('../fixtures/messages/cantieri-via-nazionale.md', import.meta.url));

const phone = (i) => `+39333${1_000_000 + i}`;

/** The child: a Graph stand-in that posts signed receipts of what it accepts to `--webhook-url`. */
async function serve(webhookUrl) {
  const { GraphStandIn } = await import('../dist/adapters/sandbox/graph-stand-in.js');
  const { SANDBOX_ACCOUNT } = await import('../dist/commands/sandbox.js');
  const { systemClock } = await import('../dist/adapters/clock.js');
  let posted = 0;
  let failedPosts = 0;
  const graph = new GraphStandIn({ port: 0, ...SANDBOX_ACCOUNT, clock: systemClock, webhookUrl, onWebhook: (_u, outcome) => (outcome === 'HTTP 200' ? posted++ : failedPosts++) });
  process.send({ url: await graph.listen() });
  process.on('message', () => process.send({ posted, failedPosts, accepted: graph.received.length }));
}

async function canale(env, ...args) {
  const result = await measureNode([BIN, ...args], { env });
  if (result.code !== 0 && result.code !== 3) throw new Error(`canale ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}

/** Posts the bodies at RATE a second from now, each timed from its planned start; waits for every answer. */
async function fire(pool, bodies) {
  const latencies = new Float64Array(bodies.length);
  let errors = 0;
  let fired = 0;
  const inFlight = new Set();
  const started = performance.now();
  while (fired < bodies.length) {
    const due = Math.min(bodies.length, Math.floor(((performance.now() - started) / 1000) * RATE) + 1);
    while (fired < due) {
      const i = fired++;
      const planned = started + (i / RATE) * 1000;
      const p = pool
        .request({ path: '/webhooks/whatsapp', method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': bodies[i].signature }, body: bodies[i].body })
        .then(async (r) => {
          await r.body.dump();
          if (r.statusCode !== 200) errors++;
        })
        .catch(() => errors++)
        .finally(() => {
          latencies[i] = performance.now() - planned;
          inFlight.delete(p);
        });
      inFlight.add(p);
    }
    await sleep(2);
  }
  await Promise.all(inFlight);
  return { latencies: Array.from(latencies).sort((a, b) => a - b), errors, elapsed: (performance.now() - started) / 1000 };
}

/** Asks `canale webhook status` until no line of the event log waits to be applied; returns its figures. */
async function untilApplied(env) {
  for (;;) {
    const { stdout } = await canale(env, 'webhook', 'status', '--json');
    const backlog = JSON.parse(stdout);
    if (backlog.waitingLines === 0) return backlog;
  }
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Journal lines of one campaign with `s` = status, counted by recipient. */
function recipientsWith(home, campaign, status) {
  const seen = new Set();
  for (const line of readFileSync(join(home, 'campaigns', campaign, 'journal.jsonl'), 'utf8').split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line);
    if (record.s === status) seen.add(record.i);
  }
  return seen.size;
}

export async function benchWebhook() {
  const total = RATE * SECONDS;
  console.log(`\n## webhook serve: ${RATE.toLocaleString('en')} signed status posts a second for ${SECONDS} s (${total.toLocaleString('en')}), while a send runs at --rate ${RUNNING_RATE} with its own receipts posted to the same server`);
  const { GraphStandIn } = await import('../dist/adapters/sandbox/graph-stand-in.js');
  const { SANDBOX_ACCOUNT, whatsAppSandboxEnv } = await import('../dist/commands/sandbox.js');
  const { systemClock } = await import('../dist/adapters/clock.js');
  const { signatureOf } = await import('../dist/adapters/http/hub-signature.js');
  const { metaJson, statusPayload } = await import('../dist/adapters/sandbox/status-webhooks.js');
  const dir = mkdtempSync(join(tmpdir(), 'canale-bench-webhook-'));
  const home = join(dir, 'home');
  const running = RUNNING_RATE * (SECONDS + 10);
  const quiet = new GraphStandIn({ port: 0, ...SANDBOX_ACCOUNT, clock: systemClock });
  const quietUrl = await quiet.listen();
  const base = { CANALE_HOME: home };
  let server;
  let standIn;
  let send;
  let logFd;
  try {
    // the home: a finished campaign of `total` recipients whose receipts the load posts, and a topic for the running send
    const rows = ['nome;telefono;argomenti;municipio'];
    for (let i = 0; i < WARMUP + total; i++) rows.push(`Cittadino ${i};${phone(i)};raccolta-differenziata;${(i % 15) + 1}`);
    for (let i = 0; i < running; i++) rows.push(`Cittadina ${i};${phone(WARMUP + total + i)};cantieri;1`);
    writeFileSync(join(dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
    const env = { ...base, ...whatsAppSandboxEnv(quietUrl) };
    await canale(env, 'subscribers', 'import', join(dir, 'iscritti.csv'), '--yes', '--quiet');
    await canale(env, 'templates', 'sync', '--quiet');
    await canale(env, 'config', 'set', 'quietHours.whatsapp', 'off'); // a benchmark runs at any hour
    const first = await canale(env, 'send', '--message', FINISHED, '--channel', 'whatsapp', '--rate', '100000', '--concurrency', '64', '--yes', '--json', '--quiet');
    const campaign = JSON.parse(first.stdout.slice(first.stdout.lastIndexOf('\n{') + 1)).campaign;
    const wamids = [];
    for (const line of readFileSync(join(home, 'campaigns', campaign, 'journal.jsonl'), 'utf8').split('\n')) if (line.includes('"s":"sent"')) wamids.push(JSON.parse(line).id);
    await quiet.close();
    logFd = openSync(join(dir, 'server.log'), 'a');
    if (wamids.length !== WARMUP + total) throw new Error(`the first campaign sent ${wamids.length} of ${WARMUP + total}`);

    server = spawn(process.execPath, [BIN, 'webhook', 'serve', '--port', '0'], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', logFd] });
    // its log goes to a file, as under systemd: a pipe that this busy process reads late would block its writes
    const url = await new Promise((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (c) => {
        out += c;
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      server.once('exit', (code) => reject(new Error(`webhook serve exited ${code}: ${readFileSync(join(dir, 'server.log'), 'utf8')}`)));
    });
    standIn = spawn(process.execPath, [SELF, '--serve', `${url}/webhooks/whatsapp`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const [{ url: graphUrl }] = await once(standIn, 'message');
    send = spawn(process.execPath, [BIN, 'send', '--message', RUNNING, '--channel', 'whatsapp', '--rate', String(RUNNING_RATE), '--yes', '--json', '--quiet'], {
      env: { ...process.env, ...base, ...whatsAppSandboxEnv(graphUrl), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let sendOut = '';
    send.stdout.on('data', (c) => (sendOut += c));
    const sendDone = once(send, 'exit');
    await sleep(1000);

    // the bodies, signed beforehand: one `delivered` per recipient of the finished campaign
    const ids = { wabaId: SANDBOX_ACCOUNT.wabaId, phoneNumberId: SANDBOX_ACCOUNT.phoneNumberId, displayNumber: '390000000000' };
    const at = new Date();
    const bodies = wamids.map((wamid, i) => {
      const body = metaJson(statusPayload({ wamid, status: 'delivered', recipient: phone(i).slice(1), at, callbackData: campaign }, ids));
      return { body, signature: signatureOf(body, SANDBOX_ACCOUNT.appSecret) };
    });
    const pool = new Pool(url, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });
    // a warm-up at the same rate first (its own recipients, checked too, figures printed apart): a fresh process
    // answers its first second slowly while V8 compiles the hot paths
    const warm = await fire(pool, bodies.slice(0, WARMUP));
    const { latencies, errors, elapsed } = await fire(pool, bodies.slice(WARMUP));
    await pool.close();
    const sendStillRunning = send.exitCode === null;
    send.kill('SIGTERM');
    await sendDone;
    // the stand-in posts the running send's receipts one after another: wait until they stop coming
    let stats;
    for (let last = -1; ; last = stats.posted) {
      await sleep(1000);
      standIn.send('stats');
      [stats] = await once(standIn, 'message');
      if (stats.posted === last) break;
    }
    // the server answers once a receipt is in its event log and applies it right after: counted once it has
    const backlog = await untilApplied(env);
    const sorted = latencies;
    const delivered = recipientsWith(home, campaign, 'delivered');
    const second = JSON.parse(sendOut.trim().split('\n').at(-1)).campaign;
    const runningReceipts = ['delivered', 'read'].map((s) => recipientsWith(home, second, s));
    const p99 = percentile(sorted, 99);
    // the server's own view: the time from a request's arrival to its answer, from its log lines
    const inServer = readFileSync(join(dir, 'server.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes(' POST /webhooks/whatsapp '))
      .map((l) => Number(/ (\d+(?:\.\d+)?)ms/.exec(l)?.[1]))
      .sort((a, b) => a - b);
    const ok = delivered === WARMUP + total && warm.errors === 0 && errors === 0 && p99 < GOAL_P99_MS && stats.failedPosts === 0 && sendStillRunning;
    console.log('| what | posts | achieved a second | answered 200 | in the journal | p50 | p99 | max | goal |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    console.log(
      `| load: signed \`delivered\` statuses | ${total.toLocaleString('en')} | ${Math.round(total / elapsed).toLocaleString('en')} | ${(total - errors).toLocaleString('en')} | ${(delivered - WARMUP).toLocaleString('en')} | ${percentile(sorted, 50).toFixed(1)} ms | ${p99.toFixed(1)} ms | ${sorted.at(-1).toFixed(1)} ms | none lost, p99 < ${GOAL_P99_MS} ms: ${ok ? 'met' : 'NOT met'} |`,
    );
    console.log(
      `| meanwhile: the running send's own receipts (sent, delivered, read) from the sandbox | ${stats.posted.toLocaleString('en')} | | ${stats.posted.toLocaleString('en')} | delivered ${runningReceipts[0]}, read ${runningReceipts[1]} of ${stats.accepted} accepted | | | | ${runningReceipts[1] === stats.accepted ? 'none lost' : 'LOST some'} |`,
    );
    console.log(
      `| before it, the warm-up: same rate, own recipients | ${WARMUP.toLocaleString('en')} | ${Math.round(WARMUP / warm.elapsed).toLocaleString('en')} | ${(WARMUP - warm.errors).toLocaleString('en')} | ${Math.min(WARMUP, delivered).toLocaleString('en')} | ${percentile(warm.latencies, 50).toFixed(1)} ms | ${percentile(warm.latencies, 99).toFixed(1)} ms | ${warm.latencies.at(-1).toFixed(1)} ms | (not a goal) |`,
    );
    console.log(`time inside the server (arrival → answer, from its log): p50 ${percentile(inServer, 50).toFixed(1)} ms, p99 ${percentile(inServer, 99).toFixed(1)} ms, max ${inServer.at(-1).toFixed(1)} ms`);
    console.log(`applied by the server from its event log: ${backlog.applied.toLocaleString('en')} lines in ${backlog.batches.toLocaleString('en')} batches, ${backlog.storeWrites} store write(s), ${backlog.waitingReceipts} receipt(s) still waiting for their message id`);
    if (!sendStillRunning) console.log('the running send finished before the load did: the figures are not "while a send runs"');
    return ok && runningReceipts[1] === stats.accepted;
  } finally {
    send?.kill('SIGKILL');
    standIn?.kill('SIGTERM');
    server?.kill('SIGTERM');
    if (server !== undefined && server.exitCode === null) await once(server, 'exit');
    await quiet.close().catch(() => {});
    if (logFd !== undefined) closeSync(logFd);
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--serve')) await serve(process.argv[process.argv.indexOf('--serve') + 1]);
else if (process.argv[1] === SELF) process.exitCode = (await benchWebhook()) ? 0 : 1;
