import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, useTempHome } from '../support/cli.js';
import { startSandbox, type Sandbox } from '../support/send-sandbox.js';
import { quietAroundNow } from '../support/quiet-now.js';
import { runInTerminal } from '../support/terminal.js';

const t = useTempHome();
const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));
const CTRL_C = '\u0003';

let box: Sandbox | undefined;
afterEach(async () => {
  await box?.graph.close();
  await box?.sink.close();
  box = undefined;
});

const cli = (...args: string[]) => runCli(args, { home: t.home, cwd: t.dir });

/** Waits on a real terminal for the question, presses Ctrl-C, and checks the cancel is clean. */
async function pressCtrlC(args: readonly string[], question: RegExp, env: Record<string, string> = {}): Promise<string> {
  const result = await runInTerminal(args, {
    cwd: t.dir,
    env: { CANALE_HOME: t.home, HOME: t.dir, NO_COLOR: '1', ...env },
    steps: [{ expect: question, send: CTRL_C }],
  });
  expect(result.screen).toContain('cancelled — nothing was done');
  expect(result.screen).not.toMatch(/internal error|ExitPromptError|force closed|at .*\.js:\d+/);
  expect(result.code, result.screen).toBe(130);
  return result.screen;
}

const exists = (path: string) => access(path).then(() => true, () => false);

describe('Ctrl-C at a question, on a real terminal', () => {
  it("at send's confirmation: nothing is sent, no campaign", async () => {
    await cli('subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'cantieri');
    await pressCtrlC(['send', '--topic', 'cantieri', '--subject', 'Via Roma', '--text', 'Via Roma chiusa', '--via', 'outbox'], /Send .*to 1 recipient/);
    expect(JSON.parse((await cli('campaigns', 'list', '--json')).stdout)).toEqual([]);
    expect(await exists(join(t.home, 'outbox'))).toBe(false);
  });

  it("at import's confirmation: nobody is imported", async () => {
    await pressCtrlC(['import', join(FIXTURES, 'iscritti-excel.csv')], /Import iscritti-excel\.csv: 10 new/);
    expect((await cli('subscribers', 'count')).stdout.trim()).toBe('0');
  });

  it('at forget: the subscriber stays', async () => {
    await cli('subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'cantieri');
    await pressCtrlC(['subscribers', 'forget', '333 123 4567'], /Erase sub_\w+/);
    expect((await cli('subscribers', 'show', '333 123 4567')).code).toBe(0);
  });

  it('at resubscribe: the opt-out stays', async () => {
    await cli('subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'cantieri');
    await cli('subscribers', 'unsubscribe', '333 123 4567');
    await pressCtrlC(['subscribers', 'resubscribe', '333 123 4567'], /Resubscribe sub_\w+/);
    const shown = JSON.parse((await cli('subscribers', 'show', '333 123 4567', '--json')).stdout) as { status: string };
    expect(shown.status).toBe('unsubscribed');
  });

  it('in the compose wizard: no message file is written', async () => {
    await pressCtrlC(['compose', '--out', 'lavori.md'], /Topics/);
    expect(await exists(join(t.dir, 'lavori.md'))).toBe(false);
  });

  it('at the urgency question in quiet hours: nothing is sent', async () => {
    box = await startSandbox(t.dir);
    await cli('subscribers', 'add', '--email', 'maria@example.it', '--name', 'Maria Rossi', '--topics', 'cantieri');
    expect((await cli('config', 'set', 'quietHours.email', quietAroundNow())).code).toBe(0);
    await pressCtrlC(['send', '--topic', 'cantieri', '--subject', 'Via Roma', '--text', 'Via Roma chiusa', '--via', 'smtp'], /is this urgent/, box.env);
    expect(box.sink.received).toHaveLength(0);
    expect(await readdir(t.home)).not.toContain('campaigns');
  });
});
