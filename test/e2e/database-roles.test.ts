import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/postgres/database.js';
import { unsubscribeLinks } from '../../src/adapters/unsubscribe-links.js';
import { runCli, startWebhookServe, type CliResult, type startCli } from '../support/cli.js';
import { usePostgres } from '../support/postgres.js';
import { lastJson, prepareRaccolta, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';
import { untilApplied } from '../support/webhook-applied.js';

/**
 * The public host's least privilege (issue 18 item 3), against a real PostgreSQL: `db roles --print` run as the
 * tables' owner, then `webhook serve` with that role records receipts, citizens' STOPs and a preference page's
 * choice (one subscriber read by the signed link's id), while a bulk read of the subscriber list through it —
 * select, copy, `subscribers export` — is refused.
 */

const pg = usePostgres();
let root = '';
let box: Sandbox | undefined;
let server: ReturnType<typeof startCli> | undefined;
let made = 0;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'canale-roles-'));
});

afterEach(async () => {
  server?.child.kill('SIGKILL');
  await server?.done;
  server = undefined;
  await box?.graph.close();
  await box?.sink.close();
  box = undefined;
  await rm(root, { recursive: true, force: true });
});

const phoneOf = (i: number) => `+393331${String(i).padStart(6, '0')}`;

/** The same database as `url`, logged in as `user`. */
function as(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = 'unused-over-the-socket';
  return u.toString();
}

describe('db roles --print: the public host role', () => {
  it('runs webhook serve (receipts, STOPs and the preference page) and is refused any bulk read of the subscribers', async () => {
    const owner = await pg.database();
    box = await startSandbox(root);
    const sandbox = box;
    const dir = join(root, 'desktop');
    const publicDir = join(root, 'public');
    await Promise.all([mkdir(dir), mkdir(publicDir)]);
    const staff = (...args: string[]): Promise<CliResult> => runCli(args, { home: join(dir, 'home'), cwd: dir, env: { ...sandbox.env, CANALE_DATABASE_URL: owner } });
    await prepareRaccolta(staff, dir, 12);
    expect((await staff('config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);

    // the roles are the cluster's: names of this test's own
    const role = `canale_webhook_t${process.pid}_${++made}`;
    const login = `${role}_host`;
    const printed = await staff('db', 'roles', '--print', '--role', role, '--login', login);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain(`create role ${login} login in role ${role}`);
    expect(printed.stderr).toContain('has a new random password');
    const sql = openDatabase(owner, { max: 1 });
    try {
      await sql.unsafe(printed.stdout);
      await sql.unsafe(printed.stdout); // again, as after a migration: no error
    } finally {
      await sql.end();
    }

    const hostUrl = as(owner, login);
    const host = openDatabase(hostUrl, { max: 1 });
    try {
      for (const bulk of ['select * from canale_subscribers', 'select phone from canale_subscribers', 'copy canale_subscribers to stdout', 'delete from canale_subscribers', 'select * from canale_schedules']) {
        await expect(host.unsafe(bulk), bulk).rejects.toThrow(/permission denied/);
      }
      // a key it already holds finds one subscriber, nothing more
      const find = (phones: string[]) => host`select found from canale_subscribers_find(${[]}::text[], ${phones}::text[], ${[]}::text[], ${[]}::text[], ${[]}::text[])`;
      expect(await find([phoneOf(3)])).toHaveLength(1);
      // and cannot list everyone by asking for every number there is
      await expect(find(Array.from({ length: 20_001 }, (_, i) => phoneOf(i)))).rejects.toThrow(/at most 20,000 subscribers a call/);
    } finally {
      await host.end();
    }
    const exported = await runCli(['subscribers', 'export'], { home: join(publicDir, 'home'), cwd: publicDir, env: { ...sandbox.env, CANALE_DATABASE_URL: hostUrl } });
    expect(exported.code).toBe(1);
    expect(exported.stderr).toContain('the database refused');
    expect(exported.stdout).not.toContain('333100');

    // the public host with that role: a send's receipts and a STOP are recorded
    const started = startWebhookServe({ home: join(publicDir, 'home'), cwd: publicDir, env: { ...sandbox.env, CANALE_DATABASE_URL: hostUrl, CANALE_UNSUBSCRIBE_SECRET: 'segreto' } });
    server = started.server;
    sandbox.webhooksTo(`${await started.url}/webhooks/whatsapp`);
    const sent = await staff('send', '--message', 'carta.md', '--channel', 'whatsapp', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    const campaign = lastJson<Report>(sent.stdout).campaign;
    const stop = await request(`${sandbox.env.CANALE_WHATSAPP_API_URL}/sandbox/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: phoneOf(5), text: 'STOP' }) });
    expect(((await stop.body.json()) as { webhook: string }).webhook).toBe('HTTP 200');
    await sandbox.whenReceiptsPosted(12 * 2);
    await untilApplied((...args) => runCli(args, { home: join(publicDir, 'home'), cwd: publicDir, env: { ...sandbox.env, CANALE_DATABASE_URL: hostUrl } }));
    const report = lastJson<Report>((await staff('report', campaign, '--json')).stdout);
    expect(report.counts).toMatchObject({ delivered: 12, read: 12 });
    const shown = JSON.parse((await staff('subscribers', 'show', phoneOf(5), '--json')).stdout) as { status: string };
    expect(shown.status).toBe('unsubscribed');

    // the preference page reads one subscriber (by the signed link's id) and the topics, and its choice is applied
    const citizen = JSON.parse((await staff('subscribers', 'show', phoneOf(6), '--json')).stdout) as { id: string };
    const path = new URL(unsubscribeLinks('https://avvisi.example.it', 'segreto', { now: () => new Date() }).urlFor(citizen.id, undefined) ?? '').pathname;
    const prefs = await request(`${await started.url}${path}`);
    expect(prefs.statusCode).toBe(200);
    expect(await prefs.body.text()).toContain('value="raccolta-differenziata" checked');
    const saved = await request(`${await started.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=save&topic=scuola' });
    expect(saved.statusCode).toBe(200);
    await saved.body.dump();
    await untilApplied((...args) => runCli(args, { home: join(publicDir, 'home'), cwd: publicDir, env: { ...sandbox.env, CANALE_DATABASE_URL: hostUrl } }));
    expect(JSON.parse((await staff('subscribers', 'show', phoneOf(6), '--json')).stdout)).toMatchObject({ status: 'active', topics: ['scuola'] });
    const served = server.stderr();
    expect(served).not.toMatch(/permission denied|internal error/);
  }, 90_000);
});
