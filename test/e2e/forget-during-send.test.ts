import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../src/adapters/sandbox/graph-stand-in.js';
import { runCli, startCli, tempDir, type CliResult } from '../support/cli.js';
import { deliveredTo, lastJson, MESSAGE, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';

/**
 * `forget` while `send` runs (issue 14, item 3): it is not refused; the person is dropped from the send's remaining
 * recipients (the send reads the campaign's dropped list every half second), and what the send wrote for them
 * after the forget — the answer to a request already out — is scrubbed when it ends.
 */
let home = '';
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let box: Sandbox | undefined;
let gate: Gate | undefined;

beforeEach(async () => {
  ({ dir, home, cleanup } = await tempDir());
});

afterEach(async () => {
  await gate?.close();
  await box?.graph.close();
  await box?.sink.close();
  box = gate = undefined;
  await cleanup();
});

const COUNT = 10;
const people = Array.from({ length: COUNT }, (_, i) => ({ name: `Ginevra Tessitore${String.fromCharCode(97 + i)}`, e164: `+39347555${String(1000 + i)}` }));
const cli = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env });

/** Ten WhatsApp subscribers of raccolta-differenziata, the sandbox's templates synced, no quiet hours. */
async function prepare(env: Record<string, string>): Promise<void> {
  const rows = ['nome;telefono;canale;argomenti;municipio', ...people.map((p, i) => `${p.name};${p.e164};whatsapp;raccolta-differenziata;${i + 1}`)];
  await writeFile(join(dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
  await writeFile(join(dir, 'carta.md'), MESSAGE);
  for (const args of [['subscribers', 'import', 'iscritti.csv', '--yes'], ['templates', 'sync'], ['config', 'set', 'quietHours.whatsapp', 'off']]) {
    const result = await cli(env, ...args);
    expect(result.code, result.stderr).toBe(0);
  }
}

/** The only campaign's folder, and who is at each position of its frozen list (by phone, from db.json). */
async function frozenList(): Promise<{ folder: string; phones: string[] }> {
  const [id] = (await readdir(join(home, 'campaigns'))).filter((name) => name.startsWith('cmp_'));
  const folder = join(home, 'campaigns', id as string);
  const db = JSON.parse(await readFile(join(home, 'db.json'), 'utf8')) as { subscribers: Array<{ id: string; phone: string }> };
  const phoneOf = new Map(db.subscribers.map((s) => [s.id, s.phone]));
  const lines = (await readFile(join(folder, 'recipients.jsonl'), 'utf8')).trim().split('\n');
  return { folder, phones: lines.map((line) => phoneOf.get((JSON.parse(line) as [string])[0]) as string) };
}

async function filesMentioning(needles: readonly string[]): Promise<string[]> {
  const entries = await readdir(home, { withFileTypes: true, recursive: true });
  const found: string[] = [];
  for (const file of entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))) {
    const text = (await readFile(file)).toString('utf8');
    for (const needle of needles) if (text.includes(needle)) found.push(`${file}: ${needle}`);
  }
  return found;
}

/** Waits for `signal`, failing with the send's output if it ends first. */
async function whileRunning(send: ReturnType<typeof startCli>, signal: Promise<void>): Promise<void> {
  const ended = send.done.then((r) => {
    throw new Error(`the send ended first (${r.code}): ${r.stderr}`);
  });
  await Promise.race([signal, ended]);
  ended.catch(() => undefined);
}

const needlesOf = (p: { name: string; e164: string }) => [p.e164, p.e164.slice(1), p.e164.slice(3), p.name];

/**
 * A pass-through in front of the Graph stand-in that holds the requests for one number until let go: that
 * recipient's request is surely out, and its answer surely comes after what the test does meanwhile.
 */
interface Gate {
  readonly url: string;
  /** Resolves once the request for the held number has arrived (and is being held). */
  readonly whenHeld: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

async function startGate(target: string, heldTo: string): Promise<Gate> {
  let arrived: () => void = () => undefined;
  let letGo: () => void = () => undefined;
  const whenHeld = new Promise<void>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (letGo = resolve));
  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const out = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    out.end(body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const to = req.method === 'POST' ? (JSON.parse(body.toString('utf8') || '{}') as { to?: string }).to : undefined;
      if (to === undefined || `+${to.replace(/\D/g, '')}` !== heldTo) return forward(req, body, res);
      arrived();
      void released.then(() => forward(req, body, res));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString().replace(/\/$/, ''),
    whenHeld,
    release: letGo,
    close: () => {
      letGo();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('subscribers forget during a running send', () => {
  it('is done at once, and the send skips the forgotten recipient and leaves nothing of them', async () => {
    box = await startSandbox(dir);
    await prepare(box.env);
    // one message a second: the 8th recipient's turn comes seconds after the forget, the send reads it in half a second
    const send = startCli(['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '1', '--yes', '--json'], { home, cwd: dir, env: box.env });
    await whileRunning(send, box.whenAnswered(1));
    const { phones } = await frozenList();
    const forgotten = people.find((p) => p.e164 === phones[7]) as (typeof people)[number];

    const forget = await cli({}, 'subscribers', 'forget', forgotten.e164, '--yes');
    expect(forget.code, forget.stderr).toBe(0);
    expect(box.graph.received.length, 'the send was still running when the forget ended').toBeLessThan(8);
    const sent = await send.done;
    expect(sent.code, sent.stderr).toBe(0);

    const delivered = deliveredTo(box);
    expect(delivered.has(forgotten.e164), 'a message reached the forgotten citizen').toBe(false);
    expect([...delivered.entries()].sort()).toEqual(people.filter((p) => p !== forgotten).map((p) => [p.e164, 1]).sort());
    const report = lastJson<Report>(sent.stdout);
    expect(report).toMatchObject({ status: 'completed', counts: { targeted: COUNT, sent: COUNT - 1, failed: 0, unknown: 0, skipped: 1 } });
    const again = await cli({}, 'report', '--last', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(lastJson<Report>(again.stdout).counts).toMatchObject({ targeted: COUNT, sent: COUNT - 1, skipped: 1 });
    const rows = (await cli({}, 'report', '--last', '--format', 'csv')).stdout.trim().split('\n');
    // their row says what happened, not who they were
    expect(rows.filter((row) => !row.includes(',sent,'))).toEqual([expect.stringMatching(/^subscriber_id,/), expect.stringMatching(/^forgotten,whatsapp,skipped,/)]);

    expect(await filesMentioning(needlesOf(forgotten))).toEqual([]);
    // the others are still where they were: the forget took only them
    const neighbour = people.find((p) => p !== forgotten) as (typeof people)[number];
    expect(await filesMentioning([neighbour.e164])).toEqual([`${join(home, 'db.json')}: ${neighbour.e164}`]);
  });

  it('scrubs, when the send ends, the message id the provider gave for a recipient forgotten while their request was out', async () => {
    box = await startSandbox(dir);
    await prepare(box.env);
    const forgotten = people[1] as (typeof people)[number];
    gate = await startGate(box.env.CANALE_WHATSAPP_API_URL as string, forgotten.e164);
    const env = { ...box.env, CANALE_WHATSAPP_API_URL: gate.url };
    const send = startCli(['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '50', '--yes', '--json'], { home, cwd: dir, env });
    await whileRunning(send, gate.whenHeld);
    const { folder, phones } = await frozenList();
    const position = phones.indexOf(forgotten.e164);
    expect(position).toBeGreaterThanOrEqual(0);

    const forget = await cli({}, 'subscribers', 'forget', forgotten.e164, '--yes');
    expect(forget.code, forget.stderr).toBe(0);
    expect(deliveredTo(box).has(forgotten.e164), 'their request was still out when the forget ended').toBe(false);
    gate.release();
    const sent = await send.done;
    expect(sent.code, sent.stderr).toBe(0);

    // the request was out: the provider took it and gave it an id, which the send journaled after the forget
    const theirs = box.graph.received.filter((m: ReceivedMessage) => `+${m.to.replace(/\D/g, '')}` === forgotten.e164);
    expect(theirs).toHaveLength(1);
    const wamid = (theirs[0]?.outcome as { wamid: string }).wamid;
    expect(wamid).toMatch(/^wamid\./);
    expect([...deliveredTo(box).values()]).toEqual(Array.from({ length: COUNT }, () => 1));
    const journal = (await readFile(join(folder, 'journal.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { i: number; s: string; id?: string });
    const record = journal.find((r) => r.i === position && r.s === 'sent');
    expect(record?.id, 'their sent record, its message id blanked').toMatch(/^\*+$/);
    const others = journal.filter((r) => r.i !== position && r.s === 'sent').map((r) => r.id);
    expect(others.sort()).toEqual(box.graph.received.filter((m) => m !== theirs[0]).map((m) => (m.outcome as { wamid: string }).wamid).sort());

    expect(await filesMentioning([...needlesOf(forgotten), wamid])).toEqual([]);
    expect(lastJson<Report>(sent.stdout).counts).toMatchObject({ targeted: COUNT, sent: COUNT, failed: 0, unknown: 0 });
  });
});
