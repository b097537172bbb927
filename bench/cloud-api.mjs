// Issue 4's benchmark: 50,000 template messages through canale's cloud-api transport to a minimal local Graph
// stand-in, next to a bare undici Pool loop posting the same bodies to the same server, in the same run.
// The stand-in runs in a child process (this file with --serve) so client and server do not share one event loop.
/* global AbortController */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const COUNT = Number(process.env.BENCH_MESSAGES ?? 50_000);
const CONNECTIONS = 16;
const IN_FLIGHT = 64;
const GOAL_RATIO = 0.8;
const ROUNDS = 5;
const PATH = '/v23.0/100000000000001/messages';
const TOKEN = 'bench-token';

/** The minimal Graph stand-in: reads the body, answers the real success shape. */
function serve() {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = `{"messaging_product":"whatsapp","contacts":[{"input":"+393330000000","wa_id":"393330000000"}],"messages":[{"id":"wamid.bench${++n}"}]}`;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  process.on('SIGTERM', () => process.exit(0));
}

function envelope(i) {
  return {
    channel: 'whatsapp',
    to: `+39333${String(1_000_000 + (i % 9_000_000)).padStart(7, '0')}`,
    campaignId: 'cmp_bench',
    recipientKey: `sub_${i}`,
    content: { kind: 'template', name: 'avviso_cantieri', language: 'it', parameters: { format: 'positional', values: ['Maria', '2 dicembre', 'via Nazionale'] } },
  };
}

/** Runs `send(i)` for i < COUNT with IN_FLIGHT at a time; returns messages a second. */
async function drive(send) {
  let next = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < COUNT) if (!(await send(next++))) failed++;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (failed > 0) throw new Error(`${failed} sends failed`);
  return COUNT / seconds;
}

async function bareUndici(origin, graphMessageBody) {
  const pool = new Pool(origin, { connections: CONNECTIONS, keepAliveTimeout: 30_000 });
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json' };
  try {
    return await drive(async (i) => {
      const response = await pool.request({ path: PATH, method: 'POST', headers, body: JSON.stringify(graphMessageBody(envelope(i))) });
      const json = JSON.parse(await response.body.text());
      return response.statusCode === 200 && typeof json.messages[0].id === 'string';
    });
  } finally {
    await pool.close();
  }
}

async function canale(origin, CloudApiTransport) {
  const transport = new CloudApiTransport({ apiUrl: origin, apiVersion: 'v23.0', token: TOKEN, phoneNumberId: '100000000000001', timeoutMs: 15_000, connections: CONNECTIONS });
  const signal = new AbortController().signal;
  try {
    return await drive(async (i) => (await transport.send(envelope(i), signal)).ok);
  } finally {
    await transport.close();
  }
}

export async function benchCloudApi() {
  const { CloudApiTransport } = await import('../dist/adapters/transports/cloud-api/cloud-api-transport.js');
  const { graphMessageBody } = await import('../dist/adapters/transports/cloud-api/graph-message.js');
  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve, reject) => {
      server.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
      server.once('exit', (code) => reject(new Error(`the stand-in exited with ${code}`)));
    });
    const origin = `http://127.0.0.1:${port}`;
    console.log(`\n## cloud-api: ${COUNT.toLocaleString('en')} template messages, ${CONNECTIONS} connections, ${IN_FLIGHT} in flight, best of ${ROUNDS} interleaved rounds`);
    // warm both paths up (JIT, connections), then interleave rounds so a busy machine slows both alike; keep the best
    await bareUndici(origin, graphMessageBody);
    await canale(origin, CloudApiTransport);
    let reference = 0;
    let ours = 0;
    for (let round = 0; round < ROUNDS; round++) {
      reference = Math.max(reference, await bareUndici(origin, graphMessageBody));
      ours = Math.max(ours, await canale(origin, CloudApiTransport));
    }
    const ratio = ours / reference;
    const ok = ratio >= GOAL_RATIO;
    console.log('| what | messages a second | × reference | goal |');
    console.log('|---|---|---|---|');
    console.log(`| reference: bare undici Pool loop | ${Math.round(reference).toLocaleString('en')} | 1.00× | |`);
    console.log(`| canale cloud-api transport | ${Math.round(ours).toLocaleString('en')} | ${ratio.toFixed(2)}× | ≥ ${GOAL_RATIO}×: ${ok ? 'met' : 'NOT met'} |`);
    return ok;
  } finally {
    server.kill('SIGTERM');
  }
}

if (process.argv.includes('--serve')) serve();
else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = (await benchCloudApi()) ? 0 : 1;
}
