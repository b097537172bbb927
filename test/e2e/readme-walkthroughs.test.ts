import { execFile } from 'node:child_process';
import { readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, useTempHome } from '../support/cli.js';
import { type Background, canaleOnPath, exportsIn, freePort, readmeShellLines, readmeText, ROOT, startInBackground } from '../support/readme.js';
import { runCommandInTerminal } from '../support/terminal.js';
import { untilApplied } from '../support/webhook-applied.js';

const t = useTempHome();
const sh = promisify(execFile);
let background: Background[] = [];
afterEach(async () => {
  await Promise.all(background.map((b) => b.stop()));
  background = [];
});

/** A person's shell in a folder that has the clone's fixtures, with canale on the PATH and a home under HOME. */
async function personShell(): Promise<{ cwd: string; env: Record<string, string> }> {
  const bin = await canaleOnPath(t.dir);
  await symlink(join(ROOT, 'fixtures'), join(t.dir, 'fixtures'));
  return { cwd: t.dir, env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: t.dir, NO_COLOR: '1' } };
}

/** Runs a line as typed, on a terminal, answering yes when canale asks (the line has no --yes). */
async function typeOnTerminal(line: string, shell: { cwd: string; env: Record<string, string> }): Promise<string> {
  const asks = /^canale send --topic/.test(line) && !/--yes\b/.test(line);
  const result = await runCommandInTerminal(line, { ...shell, steps: asks ? [{ expect: /\(y\/N\)/, send: 'y\r' }] : [], timeoutMs: 60_000 });
  expect(result.code, `${line}\n${result.screen}`).toBe(0);
  return result.screen;
}

async function runLine(line: string, shell: { cwd: string; env: Record<string, string> }): Promise<{ stdout: string; stderr: string }> {
  return sh('sh', ['-c', line], shell);
}

/** The README's advice for trying the sandbox at night: quiet hours off (a real send would use --urgent). */
async function quietHoursOffAsTheReadmeSays(shell: { cwd: string; env: Record<string, string> }): Promise<void> {
  const advice = /for the sandbox, `(canale config set quietHours\.whatsapp off)`/.exec(await readmeText());
  expect(advice, 'the quiet-hours advice in README.md').not.toBeNull();
  await runLine(advice?.[1] ?? '', shell);
}

describe("the README's walkthroughs, run as typed", () => {
  it('quick start, then the sandbox: sync, preview, test message, doctor, the send, what arrived', async () => {
    const shell = await personShell();
    const [, quickStart] = await readmeShellLines('## Quick start', 0);
    await runLine(quickStart ?? '', shell);
    await quietHoursOffAsTheReadmeSays(shell);

    const [startLine, ...other] = await readmeShellLines('## Quick start', 1);
    expect(startLine).toBe('canale sandbox');
    expect(other).toEqual([]);
    // the walkthrough's default ports may be taken on a test machine: any free ones, as the README offers
    const sandbox = startInBackground(`${startLine} --whatsapp-port 0 --smtp-port 0`, shell);
    background.push(sandbox);
    await sandbox.until(/^export CANALE_EMAIL_FROM=.*\n/m);
    const pasted = { ...shell, env: { ...shell.env, ...exportsIn(sandbox.stdout()) } };
    expect(pasted.env.CANALE_WHATSAPP_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const lines = await readmeShellLines('## Quick start', 2);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    const screens: string[] = [];
    for (const line of lines) screens.push(await typeOnTerminal(line, pasted));
    const received = screens.at(-1) ?? '';
    expect(lines.at(-1)).toMatch(/^curl /);
    expect(received).toContain('avviso_cantieri');
    expect(screens.join('\n')).toMatch(/Campaign cmp_\w+: completed/);
    expect(screens.join('\n')).not.toMatch(/✗/);
  }, 180_000);

  it('webhook serve with the sandbox: receipts fill in the report, a STOP unsubscribes', async () => {
    const shell = await personShell();
    const [, quickStart] = await readmeShellLines('## Quick start', 0);
    await runLine(quickStart ?? '', shell);
    await quietHoursOffAsTheReadmeSays(shell);

    const [sandboxLine, serveLine, syncLine, sendLine, reportLine, stopLine, ...other] = await readmeShellLines('Try it with the sandbox:', 0);
    expect(other).toEqual([]);
    const graphPort = await freePort();
    const webhookPort = await freePort();
    const ports = (line: string) => line.replaceAll('127.0.0.1:8080', `127.0.0.1:${webhookPort}`).replaceAll('127.0.0.1:8787', `127.0.0.1:${graphPort}`);

    expect(sandboxLine).toMatch(/^canale sandbox .*> sandbox\.env &$/);
    const sandbox = startInBackground(ports(sandboxLine ?? '').replace('canale sandbox', `canale sandbox --whatsapp-port ${graphPort} --smtp-port 0`), shell);
    background.push(sandbox);
    await sandbox.until(/press Ctrl-C to stop/);
    // ". ./sandbox.env"
    const sourced = { ...shell, env: { ...shell.env, ...exportsIn(await readFile(join(t.dir, 'sandbox.env'), 'utf8')) } };
    // the file the walkthrough writes in the clone is ignored by git, so it is never committed by mistake
    expect((await sh('git', ['check-ignore', 'sandbox.env'], { cwd: ROOT })).stdout.trim()).toBe('sandbox.env');

    expect(serveLine).toBe('canale webhook serve &');
    const server = startInBackground((serveLine ?? '').replace('serve', `serve --port ${webhookPort}`), sourced);
    background.push(server);
    await server.until(new RegExp(`^http://127\\.0\\.0\\.1:${webhookPort}`, 'm'));

    expect(syncLine).toBe('canale templates sync');
    await runLine(syncLine ?? '', sourced);
    const sent = await runLine(sendLine ?? '', sourced);
    expect(sent.stdout).toMatch(/Campaign cmp_\w+: completed/);
    expect(reportLine).toBe('canale report --last');
    // "delivered and read fill in as the receipts arrive": the sandbox posts them to the server
    await server.until(/ applied .*recorded=[1-9]/);
    const report = await runLine(`${reportLine} --json`, sourced);
    const counts = (JSON.parse(report.stdout) as { counts: { delivered: number; read: number } }).counts;
    expect(counts.delivered + counts.read).toBeGreaterThan(0);
    expect((await runLine(reportLine ?? '', sourced)).stdout).toMatch(/whatsapp/);

    const stop = await runLine(ports(stopLine ?? ''), sourced);
    expect(stop.stdout).toContain('"webhook":"HTTP 200"');
    // answered once in the server's event log, applied right after: `webhook status` says when
    await untilApplied(async (...args) => ({ code: 0, ...(await runLine(`canale ${args.join(' ')}`, sourced)) }) as CliResult);
    const maria = JSON.parse((await runLine('canale subscribers show "333 123 4567" --json', sourced)).stdout) as { status: string };
    expect(maria.status).toBe('unsubscribed');
  }, 180_000);
});
