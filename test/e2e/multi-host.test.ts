import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/postgres/database.js';
import { main } from '../../src/main.js';
import { runCli, startCli, startWebhookServe, type CliResult } from '../support/cli.js';
import { fakeDeps, ShiftedClock } from '../support/fake-deps.js';
import { usePostgres } from '../support/postgres.js';
import { deliveredTo, lastJson, prepareRaccolta, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';
import { untilApplied } from '../support/webhook-applied.js';

/**
 * One city, several machines (issue 18): two homes with their own config.json — a staff desktop (A) and the public
 * host (B) — sharing one PostgreSQL database, through the built binary against the sandbox. A sends; B runs
 * `webhook serve` and takes the sandbox's receipts and citizens' STOPs; a send killed with -9 on A is resumed from B;
 * `schedule run` on both at once fires each schedule once.
 */

const pg = usePostgres();

interface Host {
  readonly dir: string;
  readonly home: string;
  /** The sandbox's credentials and the shared database URL. */
  readonly env: Record<string, string>;
  cli(...args: string[]): Promise<CliResult>;
  start(...args: string[]): ReturnType<typeof startCli>;
}

let root = '';
let box: Sandbox | undefined;
let servers: Array<ReturnType<typeof startCli>> = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'canale-multi-host-'));
});

afterEach(async () => {
  for (const s of servers) s.child.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.done));
  servers = [];
  await box?.graph.close();
  await box?.sink.close();
  box = undefined;
  await rm(root, { recursive: true, force: true });
});

/** prepareRaccolta's citizen i, at position i of a send with --channel whatsapp (everyone has a phone). */
const phoneOf = (i: number) => `+393331${String(i).padStart(6, '0')}`;

/** A machine: its own folder and home (config.json), the sandbox's credentials and the shared database URL. */
async function host(name: string, sandbox: Sandbox, url: string): Promise<Host> {
  const dir = join(root, name);
  await mkdir(dir);
  const home = join(dir, 'home');
  const env = { ...sandbox.env, CANALE_DATABASE_URL: url };
  const h: Host = { dir, home, env, cli: (...args) => runCli(args, { home, cwd: dir, env }), start: (...args) => startCli(args, { home, cwd: dir, env }) };
  const city = await h.cli('config', 'set', 'city.name', `Comune di Prova (${name})`);
  expect(city.code, city.stderr).toBe(0);
  // the sends here run at whatever time the suite does: outside any quiet hours
  expect((await h.cli('config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
  return h;
}

/** The database made by A's `db migrate`, A's and B's homes, and `n` citizens imported on A. */
async function city(n: number): Promise<{ a: Host; b: Host; sandbox: Sandbox; url: string }> {
  const url = await pg.empty();
  const sandbox = await startSandbox(root);
  box = sandbox;
  const a = await host('desktop', sandbox, url);
  const b = await host('public', sandbox, url);
  const migrated = await a.cli('db', 'migrate');
  expect(migrated.code, migrated.stderr).toBe(0);
  await prepareRaccolta((...args) => a.cli(...args), a.dir, n);
  return { a, b, sandbox, url };
}

/** `webhook serve` on host B; the sandbox posts its receipts and citizens' messages there. */
async function serveOn(b: Host, sandbox: Sandbox): Promise<void> {
  const started = startWebhookServe({ home: b.home, cwd: b.dir, env: b.env });
  servers.push(started.server);
  sandbox.webhooksTo(`${await started.url}/webhooks/whatsapp`);
}

/** A citizen writes to the city through the sandbox (signed, to B's server); resolves to the server's answer. */
async function write(sandbox: Sandbox, body: Record<string, string>): Promise<string> {
  const response = await request(`${sandbox.env.CANALE_WHATSAPP_API_URL}/sandbox/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return ((await response.body.json()) as { webhook: string }).webhook;
}

const templatesTo = (sandbox: Sandbox): string[] =>
  sandbox.graph.received.flatMap((m) => ('wamid' in m.outcome && (m.request as { type?: string }).type === 'template' ? [m.to] : []));

describe('one city on two machines sharing PostgreSQL', () => {
  it('A sends while B serves webhooks: B records the receipts, and STOPs B takes are honoured by A\'s running send', async () => {
    const { a, b, sandbox } = await city(40);
    await serveOn(b, sandbox);
    const send = a.start('send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '10', '--concurrency', '1', '--yes', '--json');
    await Promise.race([sandbox.whenAnswered(3), send.done]);
    // positions 30 and 35 of 40, seconds away at 10/s: the STOP reaches A's send through the database
    expect(await write(sandbox, { from: phoneOf(30), text: 'STOP' })).toBe('HTTP 200');
    expect(await write(sandbox, { from: phoneOf(35), text: 'STOP raccolta-differenziata' })).toBe('HTTP 200');
    const sent = await send.done;
    expect(sent.code, sent.stderr).toBe(0);
    const report = lastJson<Report>(sent.stdout);
    expect(report.counts).toMatchObject({ targeted: 40, sent: 38, skipped: 2, failed: 0 });
    const to = templatesTo(sandbox);
    const everyoneElse = Array.from({ length: 40 }, (_, i) => phoneOf(i)).filter((p) => p !== phoneOf(30) && p !== phoneOf(35));
    expect(to.sort()).toEqual(everyoneElse.sort());

    // every receipt the sandbox posted to B is in the campaign A reads
    await sandbox.whenReceiptsPosted(38 * 2);
    await untilApplied((...args) => b.cli(...args));
    const seen = lastJson<Report>((await a.cli('report', report.campaign, '--json')).stdout);
    // the sandbox posts delivered then read for each: read counts among the delivered
    expect(seen.counts).toMatchObject({ delivered: 38, read: 38 });
    const stopped = JSON.parse((await a.cli('subscribers', 'show', phoneOf(30), '--json')).stdout) as { status: string };
    expect(stopped.status).toBe('unsubscribed');
  }, 90_000);

  it('a send killed with -9 on A is resumed from B: everyone reached, nobody twice; one send at a time for the city', async () => {
    const { a, b, sandbox } = await city(120);
    const running = a.start('send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '20', '--yes');
    await sandbox.whenAnswered(10);
    // while A sends, B cannot start another send: the lock is the city's, not the home's
    const second = await b.cli('send', '--message', join(a.dir, 'carta.md'), '--channel', 'whatsapp', '--yes');
    expect(second.code, second.stderr).toBe(4);
    running.child.kill('SIGKILL');
    expect((await running.done).signal).toBe('SIGKILL');
    const campaigns = JSON.parse((await b.cli('campaigns', 'list', '--json')).stdout) as Array<{ id: string; status: string }>;
    expect(campaigns).toHaveLength(1);
    const id = campaigns[0]?.id ?? '';
    expect(campaigns[0]?.status).toBe('interrupted');

    const resumed = await b.cli('send', '--resume', id, '--json');
    const report = lastJson<Report>(resumed.stdout);
    expect(resumed.code, resumed.stderr).toBe(report.counts.unknown > 0 ? 3 : 0);
    expect(report.counts.sent + report.counts.unknown).toBe(120);
    const delivered = deliveredTo(sandbox);
    expect(delivered.size).toBeGreaterThanOrEqual(120 - report.counts.unknown);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
  }, 90_000);

  it('schedule run on both machines at the same moment fires each due schedule once', async () => {
    const { a, b, sandbox, url } = await city(30);
    // added an hour ago on A for a few minutes ago: due now for both binaries, which read the real clock
    for (const minutesAgo of [3, 2]) {
      const clock = new ShiftedClock();
      clock.advance(-60 * 60_000);
      const when = new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const fake = fakeDeps({ home: a.home, env: { ...sandbox.env, CANALE_HOME: a.home, CANALE_DATABASE_URL: url }, clock });
      const code = await main(['schedule', 'add', 'carta.md', '--at', when, '--yes', '--json'], { ...fake.deps, cwd: a.dir, ids: { next: (p) => `${p}${minutesAgo}mh` } });
      expect(code, fake.stderr.text).toBe(0);
    }
    const [ra, rb] = await Promise.all([a.cli('schedule', 'run', '--json'), b.cli('schedule', 'run', '--json')]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    type RunJson = { entries: Array<{ action: string; status?: string }> };
    const fired = [ra, rb].flatMap((r) => (JSON.parse(r.stdout) as RunJson).entries).filter((e) => e.action === 'fired' && e.status === 'completed');
    expect(fired).toHaveLength(2);
    const delivered = deliveredTo(sandbox);
    expect(delivered.size).toBe(30);
    expect([...delivered.values()].every((n) => n === 2)).toBe(true);
    expect((JSON.parse((await b.cli('schedule', 'run', '--json')).stdout) as RunJson).entries).toEqual([]);
  }, 90_000);

  it('forget on B removes the citizen from every table A reads', async () => {
    const { a, b, url } = await city(10);
    const sent = await a.cli('send', '--message', 'carta.md', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    const gone = await b.cli('subscribers', 'forget', phoneOf(4), '--yes');
    expect(gone.code, gone.stderr).toBe(0);
    expect((await a.cli('subscribers', 'show', phoneOf(4))).code).toBe(1);
    const digits = phoneOf(4).slice(1);
    // every table of the database, read as text: no trace of the number or the e-mail
    const dump = await dumpDatabase(url);
    expect(dump).not.toContain(digits);
    expect(dump).not.toContain('c4@example.it');
    expect(dump).toContain('c5@example.it');
  }, 90_000);
});

/** Every row of every table of the database at `url`, as text. */
async function dumpDatabase(url: string): Promise<string> {
  const sql = openDatabase(url, { max: 1 });
  try {
    const tables = await sql<{ t: string }[]>`select quote_ident(table_schema) || '.' || quote_ident(table_name) as t from information_schema.tables where table_schema = 'public'`;
    const parts: string[] = [];
    for (const { t } of tables) {
      const rows = await sql.unsafe<{ row: string }[]>(`select t::text as row from ${t} t`);
      parts.push(...rows.map((r) => r.row));
    }
    return parts.join('\n');
  } finally {
    await sql.end();
  }
}
