import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliResult } from '../support/cli.js';
import { runInTerminal } from '../support/terminal.js';
import { renderScreen } from '../support/terminal-screen.js';
import { deliveredTo, lastJson, prepareRaccolta, startSandbox as startSandboxIn, type Report, type Sandbox } from '../support/send-sandbox.js';

/**
 * The send guarantees of DESIGN §7 through the built binary, against the sandbox (the same Graph stand-in and SMTP
 * sink `canale sandbox` runs), each test with its own sandbox and home.
 */

let dir = '';
let home = '';
let sandbox: Sandbox | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-send-e2e-'));
  home = join(dir, 'home');
});

afterEach(async () => {
  await sandbox?.graph.close();
  await sandbox?.sink.close();
  sandbox = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function startSandbox(faults: { throttleRate?: number; failRate?: number; reject?: string[] } = {}): Promise<Sandbox> {
  sandbox = await startSandboxIn(dir, faults);
  return sandbox;
}

const cli = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env });

/** A home with `n` subscribers of raccolta-differenziata and the message carta.md (see prepareRaccolta). */
async function prepare(env: Record<string, string>, n: number): Promise<void> {
  await prepareRaccolta((...args) => cli(env, ...args), dir, n);
  // the sends here run at whatever time the suite does: outside any quiet hours (tested in schedule.test.ts)
  expect((await cli(env, 'config', 'set', 'quietHours.whatsapp', 'off')).code).toBe(0);
}

describe('canale send, end to end against the sandbox', () => {
  it('delivers 2,000 recipients on two channels exactly once, and the report accounts for each', async () => {
    const box = await startSandbox();
    await prepare(box.env, 2000);
    const unsubscribed = await cli(box.env, 'subscribers', 'unsubscribe', 'c7@example.it', '--yes');
    expect(unsubscribed.code, unsubscribed.stderr).toBe(0);

    const dry = await cli(box.env, 'send', '--message', 'carta.md', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ plan: { recipients: { whatsapp: 1000, email: 999, total: 1999 }, transports: { whatsapp: 'cloud-api', email: 'smtp' } } });
    expect(box.graph.received).toHaveLength(0);

    const refused = await cli(box.env, 'send', '--message', 'carta.md');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');

    const sent = await cli(box.env, 'send', '--message', 'carta.md', '--rate', '1000', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    const report = lastJson<Report>(sent.stdout);
    expect(report).toMatchObject({ status: 'completed', counts: { targeted: 2000, sent: 1999, failed: 0, unknown: 0, skipped: 1 } });
    expect(report.byChannel.whatsapp).toMatchObject({ targeted: 1000, sent: 1000 });
    // the opted-out citizen was skipped at planning, before a channel was given to them: counted in the totals only
    expect(report.byChannel.email).toMatchObject({ targeted: 999, sent: 999, skipped: 0 });

    const delivered = deliveredTo(box);
    expect(delivered.size).toBe(1999);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(delivered.has('c7@example.it')).toBe(false);
    const first = box.graph.received[0]?.request as { template: { name: string }; biz_opaque_callback_data: string };
    expect(first.template.name).toBe('raccolta_rifiuti');
    // the campaign and the recipient's place in its frozen list: a receipt names them even if the answer was lost
    expect(first.biz_opaque_callback_data).toMatch(new RegExp(`^${report.campaign}/\\d+$`));
    const mail = await readFile(box.sink.received[0]?.file ?? '', 'utf8');
    expect(mail).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);

    const again = await cli(box.env, 'report', '--last', '--format', 'csv');
    expect(again.code, again.stderr).toBe(0);
    const lines = again.stdout.trim().split('\n');
    // a header and one row per recipient of the frozen list (the opted-out citizen never joined it)
    expect(lines).toHaveLength(2000);
    expect(lines[0]).toBe('subscriber_id,channel,status,code,reason,provider_message_id,updated_at\r');
    expect(lines.slice(1).every((l) => l.includes(',sent,'))).toBe(true);
    expect(again.stdout).not.toContain('@example.it');

    const list = await cli(box.env, 'campaigns', 'list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: report.campaign, status: 'completed' })]);
  });

  it('after kill -9 mid-send, --resume reaches everyone not yet reached and nobody twice', async () => {
    const box = await startSandbox();
    await prepare(box.env, 1200);
    const running = startCli(['send', '--message', 'carta.md', '--rate', '150', '--yes'], { home, cwd: dir, env: box.env });
    await box.whenAnswered(100);

    // a second send while the first runs is refused as busy, naming the campaign
    const busy = await cli(box.env, 'send', '--message', 'carta.md', '--yes');
    expect(busy.code).toBe(4);
    const campaign = /campaign (cmp_\w+)/.exec(busy.stderr)?.[1] ?? '';
    expect(campaign).not.toBe('');

    await box.whenAnswered(400);
    running.child.kill('SIGKILL');
    const killed = await running.done;
    expect(killed.signal).toBe('SIGKILL');
    const listed = await cli(box.env, 'campaigns', 'list', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: campaign, status: 'interrupted' })]);
    const before = deliveredTo(box).size;
    expect(before).toBeGreaterThanOrEqual(400);
    expect(before).toBeLessThan(1200);

    // at the campaign's own pace (150/s): a resume is never faster than the send
    const resumed = await cli(box.env, 'send', '--resume', campaign, '--json');
    const report = lastJson<Report>(resumed.stdout);
    // those in flight at the kill are not known to be reached: partial
    expect(resumed.code, resumed.stderr).toBe(report.counts.unknown > 0 ? 3 : 0);
    const delivered = deliveredTo(box);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    // everyone is accounted for: sent, or unknown because they were in flight at the kill
    expect(report.counts.targeted).toBe(1200);
    expect(report.counts.sent + report.counts.unknown).toBe(1200);
    // at most what the workers had in flight or made ready: 20 workers × (1 + 2 ahead) per channel
    expect(report.counts.unknown).toBeLessThanOrEqual(120);
    expect(delivered.size).toBeGreaterThanOrEqual(report.counts.sent);
    expect(delivered.size).toBeLessThanOrEqual(1200);

    if (report.counts.unknown > 0) {
      const unknown = await cli(box.env, 'send', '--resume', campaign, '--resend-unknown', '--json');
      expect(unknown.code, unknown.stderr).toBe(0);
      expect(lastJson<Report>(unknown.stdout).counts).toMatchObject({ sent: 1200, unknown: 0 });
    }
    expect(deliveredTo(box).size).toBe(1200);
  });

  it('with 5% throttling and 2% server errors injected, delivers everyone once and counts no throttling as failure', async () => {
    const box = await startSandbox({ throttleRate: 0.05, failRate: 0.02 });
    await prepare(box.env, 1000);
    const sent = await cli(box.env, 'send', '--message', 'carta.md', '--rate', '1000', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    expect(lastJson<Report>(sent.stdout)).toMatchObject({ status: 'completed', counts: { targeted: 1000, sent: 1000, failed: 0, unknown: 0 }, failures: [] });
    // the progress said so while it happened (a pipe: one plain line when throttling starts), with the lowered rate
    expect(sent.stderr).toMatch(/^whatsapp: the provider is throttling: \d+\/s, retrying, nobody is lost$/m);
    const errors = box.graph.received.filter((m) => 'error' in m.outcome);
    expect(errors.length).toBeGreaterThan(0);
    const delivered = deliveredTo(box);
    expect(delivered.size).toBe(1000);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
  });

  it('on a terminal: the bar says when the provider throttles; Ctrl-C clears it before saying how to resume', async () => {
    const box = await startSandbox({ throttleRate: 0.3 });
    await prepare(box.env, 400);
    const result = await runInTerminal(['send', '--message', 'carta.md', '--channel', 'whatsapp', '--rate', '40', '--yes'], {
      cwd: dir,
      env: { ...box.env, HOME: home, CANALE_HOME: home },
      steps: [{ expect: /! the provider is throttling: [\d.]+\/s, retrying, nobody is lost/, send: '\x03' }],
    });
    expect(result.code, result.screen).toBe(130);
    const stopping = result.screen.indexOf('stopping: no new messages');
    expect(stopping, result.screen).toBeGreaterThan(0);
    expect(result.screen.slice(0, stopping)).toMatch(/WhatsApp .+ \d+\/400 · [\d.]+\/s · ETA [\d.]+ (s|min|h) · failed 0/);
    // what the terminal shows at the end: no bar left over, and "stopping…" not written over one
    const shown = renderScreen(result.raw).join('\n');
    expect(shown).not.toMatch(/ETA|█|░|the provider is throttling/);
    expect(shown).toMatch(/^! stopping: no new messages; waiting for those in flight…$/m);
    expect(shown).toMatch(/interrupted: resume with: canale send --resume cmp_\w+\s*$/);
  });

  it('stops at a fatal failure with what to fix, exit 1, and resumes once fixed', async () => {

    const box = await startSandbox();
    await prepare(box.env, 100);
    const bad = await cli({ ...box.env, CANALE_WHATSAPP_TOKEN: 'scaduto' }, 'send', '--message', 'carta.md', '--channel', 'whatsapp', '--yes');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/token/i);
    const campaign = /canale send --resume (cmp_\w+)/.exec(bad.stderr)?.[1] ?? '';
    expect(campaign).not.toBe('');
    const show = await cli(box.env, 'campaigns', 'show', campaign, '--json');
    expect(JSON.parse(show.stdout)).toMatchObject({ status: 'interrupted', report: { counts: { failed: 0 } } });
    expect(bad.stderr).not.toContain('scaduto');

    const resumed = await cli(box.env, 'send', '--resume', campaign, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJson<Report>(resumed.stdout).counts).toMatchObject({ targeted: 100, sent: 100 });
  });

  it('finishes with exit 3 when a recipient fails, and --retry-failed reaches them once the cause is gone', async () => {
    const reject = ['c3@example.it'];
    const box = await startSandbox({ reject });
    await prepare(box.env, 10);
    const sent = await cli(box.env, 'send', '--message', 'carta.md', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(3);
    const report = lastJson<Report>(sent.stdout);
    expect(report).toMatchObject({ status: 'completed', counts: { targeted: 10, sent: 9, failed: 1 }, failures: [{ code: 'SMTP_MAILBOX_REJECTED', count: 1 }] });
    expect(sent.stderr).not.toContain('c3@example.it');

    const nothing = await cli(box.env, 'send', '--resume', report.campaign);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('nothing to resume (add --retry-failed or --resend-unknown');

    reject.length = 0; // the mailbox works again
    const retried = await cli(box.env, 'send', '--resume', report.campaign, '--retry-failed', '--json');
    expect(retried.code, retried.stderr).toBe(0);
    expect(lastJson<Report>(retried.stdout).counts).toMatchObject({ sent: 10, failed: 0 });
    expect([...deliveredTo(box).values()].every((n) => n === 1)).toBe(true);
    expect(deliveredTo(box).size).toBe(10);
  });

  it('cancels an interrupted campaign so it cannot be resumed, and reports it as a page without JavaScript', async () => {
    const box = await startSandbox();
    await prepare(box.env, 20);
    const bad = await cli({ ...box.env, CANALE_WHATSAPP_TOKEN: 'scaduto' }, 'send', '--message', 'carta.md', '--channel', 'whatsapp', '--yes');
    expect(bad.code).toBe(1);
    const campaign = /canale send --resume (cmp_\w+)/.exec(bad.stderr)?.[1] ?? '';
    const unconfirmed = await cli(box.env, 'campaigns', 'cancel', campaign);
    expect(unconfirmed.code).toBe(2);
    const cancelled = await cli(box.env, 'campaigns', 'cancel', campaign, '--yes');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const resumed = await cli(box.env, 'send', '--resume', campaign);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain(`campaign ${campaign} was cancelled`);
    expect(box.graph.received.filter((m) => 'wamid' in m.outcome)).toHaveLength(0);

    const html = await cli(box.env, 'report', campaign, '--format', 'html', '--out', 'esito.html');
    expect(html.code, html.stderr).toBe(0);
    const page = await readFile(join(dir, 'esito.html'), 'utf8');
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/<script/i);
    expect((await stat(join(dir, 'esito.html'))).mode & 0o777).toBe(0o600);
  });

  it('on SIGTERM stops cleanly: in-flight sends recorded, the resume command printed, exit 130', async () => {
    const box = await startSandbox();
    await prepare(box.env, 600);
    const running = startCli(['send', '--message', 'carta.md', '--rate', '100', '--yes'], { home, cwd: dir, env: box.env });
    await box.whenAnswered(50);
    running.child.kill('SIGTERM');
    const stopped = await running.done;
    expect(stopped.code).toBe(130);
    const campaign = /canale send --resume (cmp_\w+)/.exec(stopped.stderr)?.[1] ?? '';
    expect(campaign).not.toBe('');
    const show = await cli(box.env, 'report', campaign, '--format', 'json');
    const report = JSON.parse(show.stdout) as Report;
    expect(report.status).toBe('interrupted');
    // a clean stop leaves nobody unknown: everyone is sent or still to send
    expect(report.counts.unknown).toBe(0);
    expect(report.counts.sent).toBe(deliveredTo(box).size);

    const resumed = await cli(box.env, 'send', '--resume', campaign, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJson<Report>(resumed.stdout).counts).toMatchObject({ sent: 600, unknown: 0 });
    expect([...deliveredTo(box).values()].every((n) => n === 1)).toBe(true);
  });
});
