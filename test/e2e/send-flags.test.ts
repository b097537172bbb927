import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli, type CliResult } from '../support/cli.js';
import { prepareRaccolta, startSandbox, type Sandbox } from '../support/send-sandbox.js';

/**
 * Through the built binary: a mistake is blamed on what the person typed (item 10), and a dry run exits with the
 * code the real command would exit with before sending anything (item 11).
 */

let dir = '';
let home = '';
let sandbox: Sandbox | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-send-flags-'));
  home = join(dir, 'home');
});

afterEach(async () => {
  await sandbox?.graph.close();
  await sandbox?.sink.close();
  sandbox = undefined;
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]): Promise<CliResult> => runCli(args, { home, cwd: dir, env: sandbox?.env ?? {} });

async function ok(...args: string[]): Promise<void> {
  const run = await cli(...args);
  expect(run.code, `canale ${args.join(' ')}\n${run.stderr}`).toBe(0);
}

describe('what the user typed is what is blamed', () => {
  it('an unknown --topic is named as the topic, with what it likely meant and how to list topics', async () => {
    const unknown = await cli('send', '--topic', 'giardini', '--text', 'Potatura dei platani in viale Roma');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: --topic: unknown topic "giardini" — known topics: scuola, cantieri');
    expect(unknown.stderr).toContain('see them with: canale topics list');
    expect(unknown.stderr).not.toContain('--text:');
    expect(unknown.stderr).not.toContain('front matter');

    const typo = await cli('send', '--topic', 'cantiere', '--message', join(process.cwd(), 'fixtures/messages/cantieri-via-nazionale.md'), '--dry-run');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('--topic: unknown topic "cantiere" (did you mean "cantieri"?)');

    const scheduled = await cli('schedule', 'add', join(process.cwd(), 'fixtures/messages/cantieri-via-nazionale.md'), '--topic', 'giardini', '--at', '2027-03-01 08:30');
    expect(scheduled.code).toBe(1);
    expect(scheduled.stderr).toContain('error: --topic: unknown topic "giardini"');
  });

  it('a --where key no subscriber has is named, with what it likely meant, instead of a send to nobody', async () => {
    await ok('subscribers', 'add', '--email', 'anna@example.it', '--topics', 'cantieri', '--attr', 'municipio=III');
    const typo = await cli('send', '--topic', 'cantieri', '--where', 'municipo=III', '--subject', 'Via Roma', '--text', 'Via Roma chiusa', '--dry-run');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('error: --where municipo=III: no subscriber has the attribute "municipo" (did you mean "municipio"?) — attributes: municipio');
    expect((await cli('send', '--topic', 'cantieri', '--where', 'municipio=iii', '--subject', 'Via Roma', '--text', 'Via Roma chiusa', '--dry-run')).code).toBe(0);
  });

  it('--text for e-mail recipients without --subject names --subject; WhatsApp-only recipients need none', async () => {
    await ok('subscribers', 'add', '--email', 'anna@example.it', '--name', 'Anna', '--topics', 'cantieri', '--channel', 'email');
    await ok('subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria', '--topics', 'cantieri,scuola');
    const missing = await cli('send', '--topic', 'cantieri', '--text', 'Via Roma chiusa', '--dry-run');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: 1 recipient(s) get this by e-mail, which needs a subject: add --subject "…" (or --channel whatsapp');
    expect(missing.stderr).not.toContain('--text:');

    await ok('subscribers', 'add', '--phone', '333 765 4321', '--email', 'luca@example.it', '--name', 'Luca', '--topics', 'scuola', '--channel', 'whatsapp');
    expect((await cli('send', '--topic', 'scuola', '--text', 'Scuole chiuse giovedì', '--dry-run')).code).toBe(0);
    // --channel all would also e-mail Luca
    const all = await cli('send', '--topic', 'scuola', '--text', 'Scuole chiuse giovedì', '--channel', 'all', '--dry-run');
    expect(all.code, all.stderr).toBe(2);
    expect(all.stderr).toContain('1 recipient(s) get this by e-mail, which needs a subject');
    expect((await cli('send', '--topic', 'cantieri', '--text', 'Via Roma chiusa', '--channel', 'whatsapp', '--dry-run')).code).toBe(0);
    const both = await cli('send', '--topic', 'cantieri', '--text', 'Via Roma chiusa', '--subject', 'Via Roma', '--dry-run');
    expect(both.code, both.stderr).toBe(0);
    expect(both.stderr).toContain('message: --text "Via Roma chiusa" (e-mail "Via Roma")');
  });

  it.each([
    [['send', '--resume', 'cmp_x', '--dry-run'], '--resume sends: to see what is left to send, use: canale campaigns show cmp_x'],
    [['send', '--resume', 'cmp_x', '--via', 'outbox'], 'drop --via'],
    [['send', '--test-to', 'anna@example.it', '--subject', 'Prova', '--text', 'Prova', '--dry-run'], '--test-to sends one test message: drop --dry-run'],
    [['send', '--test-to', '333 123 4567', '--text', 'Prova', '--subject', 'Prova'], '--subject is for e-mail'],
    [['send', '--test-to', 'anna@example.it', '--text', 'Prova'], "a test e-mail needs --subject and --text: canale send --test-to anna@example.it --subject Prova --text 'Messaggio di prova'"],
  ])('canale %j is a usage error that names the flag', async (args, said) => {
    const run = await cli(...args);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(said);
  });

  it('the command a refusal suggests pastes into a shell and works', async () => {
    await ok('subscribers', 'add', '--phone', '+41 79 123 45 67', '--name', 'Hans Muster', '--topics', 'cantieri');
    const refused = await cli('subscribers', 'forget', '+41 79 123 45 67');
    expect(refused.code).toBe(2);
    const hint = /\((canale subscribers forget .+ --yes)\)/.exec(refused.stderr)?.[1] ?? '';
    expect(hint).toBe("canale subscribers forget '+41 79 123 45 67' --yes");
    // pasted as printed into sh, with `canale` the built binary
    const pasted = await new Promise<number>((resolve) => {
      const script = `canale() { "${process.execPath}" "${BIN}" "$@"; }; ${hint}`;
      execFile('sh', ['-c', script], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: home, CANALE_HOME: home, NO_COLOR: '1' } }, (error) => resolve(error === null ? 0 : Number(error.code)));
    });
    expect(pasted).toBe(0);
    expect(JSON.parse((await cli('subscribers', 'list', '--json')).stdout)).toEqual([]);
  });
});

describe('a dry run exits as the real send would before sending anything', () => {
  async function prepare(): Promise<Sandbox> {
    sandbox = await startSandbox(dir);
    await prepareRaccolta(cli, dir, 4);
    await ok('config', 'set', 'quietHours.whatsapp', 'off');
    return sandbox;
  }

  /** The dry run's exit code and the real one's (`--yes`), and nothing reached the sandbox. */
  async function bothRuns(box: Sandbox, ...args: string[]): Promise<{ dry: CliResult; real: CliResult }> {
    const dry = await cli('send', ...args, '--dry-run');
    const real = await cli('send', ...args, '--yes');
    if (real.code !== 0) expect(box.graph.received.length + box.sink.received.length, real.stderr).toBe(0);
    return { dry, real };
  }

  it('0 when it would send', async () => {
    const box = await prepare();
    const { dry, real } = await bothRuns(box, '--message', 'carta.md');
    expect([dry.code, real.code], dry.stderr + real.stderr).toEqual([0, 0]);
    expect(dry.stderr).toContain('message: carta.md (e-mail "Municipio {{municipio | "della città"}}: cambia il calendario della raccolta", WhatsApp template raccolta_rifiuti (it))');
  });

  it('1 when it would be refused: quiet hours', async () => {
    const box = await prepare();
    const hour = new Date().getUTCHours();
    await ok('config', 'set', 'timezone', 'UTC');
    await ok('config', 'set', 'quietHours.whatsapp', `${String(hour).padStart(2, '0')}:00-${String((hour + 2) % 24).padStart(2, '0')}:00`);
    const { dry, real } = await bothRuns(box, '--message', 'carta.md');
    expect([dry.code, real.code], dry.stderr + real.stderr).toEqual([1, 1]);
    expect(dry.stderr).toContain('inside the WhatsApp quiet hours');
  });

  it('1 when it would be refused: a placeholder some recipient cannot fill', async () => {
    const box = await prepare();
    await ok('subscribers', 'add', '--email', 'senza.municipio@example.it', '--topics', 'raccolta-differenziata');
    await writeFile(join(dir, 'municipio.md'), '---\ntopics: [raccolta-differenziata]\nsubject: Avviso\nchannels: [email]\n---\nMunicipio {{municipio}}: cambia il calendario.\n');
    const { dry, real } = await bothRuns(box, '--message', 'municipio.md');
    expect([dry.code, real.code], dry.stderr + real.stderr).toEqual([1, 1]);
    expect(dry.stderr).toContain('no value for {{municipio}} and no default');
  });

  it('2 for a usage problem: free text through the Cloud API without --allow-free-text, --text without --subject', async () => {
    const box = await prepare();
    const free = await bothRuns(box, '--topic', 'raccolta-differenziata', '--channel', 'whatsapp', '--text', 'Carta il giovedì');
    expect([free.dry.code, free.real.code], free.dry.stderr).toEqual([2, 2]);
    const subject = await bothRuns(box, '--topic', 'raccolta-differenziata', '--text', 'Carta il giovedì', '--allow-free-text');
    expect([subject.dry.code, subject.real.code], subject.dry.stderr).toEqual([2, 2]);
    expect(subject.dry.stderr).toContain('--subject');
  });

  it('import: 0 when it would import, 1 when invalid rows stop it, 3 when --skip-invalid would skip them', async () => {
    const fixtures = join(process.cwd(), 'fixtures');
    expect((await cli('subscribers', 'import', join(fixtures, 'iscritti-excel.csv'), '--dry-run')).code).toBe(0);
    expect((await cli('subscribers', 'import', join(fixtures, 'iscritti-errori.csv'), '--dry-run')).code).toBe(1);
    expect((await cli('subscribers', 'import', join(fixtures, 'iscritti-errori.csv'), '--dry-run', '--skip-invalid')).code).toBe(3);
    expect(JSON.parse((await cli('subscribers', 'list', '--json')).stdout)).toEqual([]);
  });
});
