import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir } from '../support/cli.js';

/**
 * The whole loop through the built binary: `canale sandbox` as a child process, then `templates sync`,
 * `templates list --json`, `doctor` and `send --test-to` pointed at it with the environment it printed.
 */
let dir: Awaited<ReturnType<typeof tempDir>>;
let sandbox: ChildProcessWithoutNullStreams;
let sandboxErr = '';
const env: Record<string, string> = {};

/** Resolves with the environment once the sandbox has printed all its `export` lines: its readiness signal. */
function untilReady(child: ChildProcessWithoutNullStreams): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const lines = out.split('\n').filter((l) => l.startsWith('export '));
      if (lines.length === 7 && out.endsWith('\n')) {
        resolve(Object.fromEntries(lines.map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l)).map((m) => [m?.[1] ?? '', (m?.[2] ?? '').replace(/^"(.*)"$/, '$1')])));
      }
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${sandboxErr}`)));
  });
}

beforeAll(async () => {
  dir = await tempDir();
  sandbox = spawn(process.execPath, [BIN, 'sandbox', '--whatsapp-port', '0', '--smtp-port', '0', '--mail-dir', join(dir.dir, 'mail'), '--reject', 'nessuno@example.it'], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: dir.dir },
  });
  sandbox.stderr.setEncoding('utf8').on('data', (chunk: string) => (sandboxErr += chunk));
  Object.assign(env, await untilReady(sandbox));
});

afterAll(async () => {
  if (sandbox.exitCode === null) {
    const exited = new Promise((resolve) => sandbox.once('exit', resolve));
    sandbox.kill('SIGTERM');
    await exited;
  }
  await dir.cleanup();
});

const cli = (...args: string[]) => runCli(args, { home: dir.home, cwd: dir.dir, env });

describe('canale sandbox, end to end', () => {
  it('prints the environment that points canale at it', () => {
    expect(env.CANALE_WHATSAPP_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.CANALE_SMTP_URL).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    expect(env.CANALE_EMAIL_FROM).toBe('Comune di Esempio <avvisi@comune.example.it>');
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['CANALE_WHATSAPP_TOKEN', 'CANALE_WHATSAPP_PHONE_NUMBER_ID', 'CANALE_WHATSAPP_WABA_ID', 'CANALE_WHATSAPP_APP_SECRET']));
  });

  it('syncs and lists templates, passes doctor, and sends test messages on both channels', async () => {
    const doctorBefore = await cli('doctor');
    expect(doctorBefore.code).toBe(1);
    expect(doctorBefore.stdout).toContain('✗ templates: no WhatsApp templates synced — fetch them with: canale templates sync');

    const sync = await cli('templates', 'sync');
    expect(sync.code).toBe(0);
    expect(sync.stderr).toContain('✓ synced 9 template(s)');
    const list = await cli('templates', 'list', '--json');
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((t) => t.name)).toContain('allerta_emergenza');

    const doctor = await cli('doctor');
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toMatch(/✓ WhatsApp: cloud-api: Graph API reachable/);
    expect(doctor.stdout).toMatch(/✓ e-mail: smtp: SMTP server 127\.0\.0\.1:\d+ answered/);
    expect(doctor.stdout + doctor.stderr).not.toContain(env.CANALE_WHATSAPP_TOKEN);

    const whatsapp = await cli('send', '--test-to', '+39 333 123 4567', '--template', 'chiusura_scuole', '--param', 'domani', '--param', 'Trastevere', '--param', 'neve');
    expect(whatsapp.code, whatsapp.stderr).toBe(0);
    expect(whatsapp.stdout).toMatch(/^wamid\.\S+\n$/);

    const email = await cli('send', '--test-to', 'maria.rossi@example.it', '--subject', 'Città chiusa', '--text', 'Perché nevica, è tutto chiuso.');
    expect(email.code, email.stderr).toBe(0);
    expect(email.stdout).toMatch(/^<test\.test_\w+@comune\.example\.it>\n$/);
    const mail = await readdir(join(dir.dir, 'mail'));
    expect(mail).toHaveLength(1);
    expect(await readFile(join(dir.dir, 'mail', mail[0] ?? ''), 'utf8')).toMatch(/^To: maria\.rossi@example\.it\r$/m);

    const received = (await (await fetch(`${env.CANALE_WHATSAPP_API_URL}/sandbox/received`)).json()) as { whatsapp: unknown[]; email: unknown[] };
    expect(received.whatsapp).toHaveLength(1);
    expect(received.email).toHaveLength(1);
  });

  it('exits 1 with the provider code and what to do when a send fails', async () => {
    const paused = await cli('send', '--test-to', '+39 333 123 4567', '--template', 'evento_cittadino', '--param', 'la festa', '--param', 'sabato');
    expect(paused.code).toBe(1);
    expect(paused.stderr).toContain('WHATSAPP_TEMPLATE_PAUSED (provider code 132015)');
    const rejected = await cli('send', '--test-to', 'nessuno@example.it', '--subject', 'x', '--text', 'y');
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('SMTP_MAILBOX_REJECTED (provider code 550)');
  });

  it('stops on SIGTERM and says what it received', async () => {
    const exited = new Promise<number | null>((resolve) => sandbox.once('exit', resolve));
    sandbox.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(sandboxErr).toMatch(/sandbox stopped: \d+ WhatsApp request\(s\), \d+ e-mail\(s\) received/);
  });
});
