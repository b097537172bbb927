import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, useTempHome } from '../support/cli.js';

const t = useTempHome();

/**
 * Runs canale with stdout on a pipe whose reader goes away: at once (`| true`), or after the first chunk, as
 * `| head -1` does. The output is far larger than a pipe's buffer, so canale is still writing when the reader leaves.
 */
function runIntoClosedPipe(args: readonly string[], closeAfterFirstChunk: boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; read: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: t.dir,
      env: { PATH: process.env.PATH ?? '', HOME: t.dir, CANALE_HOME: t.home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let read = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    if (closeAfterFirstChunk) {
      child.stdout.setEncoding('utf8').once('data', (chunk: string) => {
        read = chunk;
        child.stdout.destroy();
      });
    } else {
      child.stdout.destroy();
    }
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, read }));
  });
}

describe('a closed pipe on stdout', () => {
  it('ends list, export, report and campaigns list quietly, like git: no stack trace, exit 0', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `Persona ${i};+39 333 ${String(1_000_000 + i)};persona${i}@example.it;cantieri`);
    await writeFile(join(t.dir, 'molti.csv'), `nome;telefono;email;argomenti\n${rows.join('\n')}\n`);
    expect((await t.cli('import', 'molti.csv', '--yes')).code).toBe(0);
    const sent = await t.cli('send', '--topic', 'cantieri', '--text', 'Via Roma chiusa', '--subject', 'Via Roma', '--via', 'outbox', '--yes', '--quiet');
    expect(sent.code, sent.stderr).toBe(0);

    const commands = [
      ['subscribers', 'list'],
      ['subscribers', 'list', '--json'],
      ['subscribers', 'export'],
      ['subscribers', 'export', '--format', 'json'],
      ['report', '--last'],
      ['report', '--last', '--format', 'csv'],
      ['campaigns', 'list'],
    ];
    for (const args of commands) {
      for (const closeAfterFirstChunk of [false, true]) {
        const result = await runIntoClosedPipe(args, closeAfterFirstChunk);
        const what = `${args.join(' ')}${closeAfterFirstChunk ? ' | head -1' : ' | true'}: ${result.stderr}`;
        expect(result.stderr, what).not.toMatch(/EPIPE|node:events|Unhandled|internal error|at .*\.js:\d+/);
        expect(result.signal, what).toBeNull();
        expect(result.code, what).toBe(0);
        if (closeAfterFirstChunk) expect(result.read.length, what).toBeGreaterThan(0);
      }
    }
  }, 120_000);
});
