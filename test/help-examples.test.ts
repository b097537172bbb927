import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError, type Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign, saveCampaign } from '../src/adapters/campaign/campaign-store.js';
import { App } from '../src/commands/app.js';
import { parseCompose } from '../src/commands/compose/index.js';
import { parseSandbox } from '../src/commands/sandbox.js';
import { parseWebhookServe } from '../src/commands/webhook/index.js';
import { exitCodeOf, isCanaleError } from '../src/core/errors.js';
import type { IdSource } from '../src/core/ports.js';
import type { Deps } from '../src/deps.js';
import { buildProgram } from '../src/main.js';
import { fakeDeps, FakeOutput, ShiftedClock } from './support/fake-deps.js';
import { usePostgres } from './support/postgres.js';
import { startSandbox, type Sandbox } from './support/send-sandbox.js';

/**
 * Every example of every `--help`, run as printed (DESIGN §2: help is where a person learns a command), each in a
 * fresh copy of a home seeded with the default topic catalogue, the README's subscribers, the sandbox's templates,
 * the campaign and the schedule the examples name, and the files they read — against the sandbox (Graph stand-in
 * and SMTP sink on 127.0.0.1), on a terminal whose every confirmation is answered yes. Servers (`sandbox`,
 * `webhook serve`) and the compose wizard are parsed and checked, not started. The clock reads a Wednesday
 * morning in Rome before the examples' dates, outside quiet hours.
 */

const REPO = fileURLToPath(new URL('..', import.meta.url));
const NOW = new Date('2026-11-25T09:00:00.000Z');

/** The ids the examples name (`sub_7k3m9q2xaa`, `cmp_…`, `sch_…`) for the first of each kind, then sequential ones. */
function exampleIds(): IdSource {
  const used = new Set<string>();
  let n = 0;
  return {
    next(prefix) {
      if ((prefix === 'sub_' || prefix === 'cmp_' || prefix === 'sch_') && !used.has(prefix)) {
        used.add(prefix);
        return `${prefix}7k3m9q2xaa`;
      }
      return `${prefix}${String(++n).padStart(4, '0')}`;
    },
  };
}

/** Every `$ canale …` line of every command's help, in tree order, once each. */
async function helpExamples(): Promise<string[]> {
  const program = await buildProgram(new App(fakeDeps().deps));
  const walk = (c: Command): Command[] => [c, ...c.commands.flatMap(walk)];
  const lines = new Set<string>();
  for (const command of walk(program)) {
    let help = '';
    command.configureOutput({ writeOut: (t) => (help += t), writeErr: (t) => (help += t) });
    command.outputHelp();
    for (const match of (help.split('Examples:')[1] ?? '').matchAll(/^\s+\$ (.+)$/gm)) lines.add((match[1] as string).trim());
  }
  return [...lines];
}

/** A command line as a POSIX shell splits it: quotes, leading `NAME=value` assignments, and `> file`. */
function splitCommandLine(line: string): { env: Record<string, string>; argv: string[]; stdoutTo?: string } {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '"' || c === "'") {
      const end = line.indexOf(c, i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  const env: Record<string, string> = {};
  while (words[0] !== undefined && /^[A-Z_]+=/.test(words[0])) {
    const [name, ...value] = (words.shift() as string).split('=');
    env[name as string] = value.join('=');
  }
  const redirect = words.indexOf('>');
  const stdoutTo = redirect < 0 ? undefined : words[redirect + 1];
  if (redirect >= 0) words.splice(redirect, 2);
  if (words.shift() !== 'canale') throw new Error(`not a canale command: ${line}`);
  return { env, argv: words, ...(stdoutTo === undefined ? {} : { stdoutTo }) };
}

/** Commands that start servers or a wizard: their options are parsed and checked, nothing is started. */
function parseOnly(program: Command): void {
  const find = (path: string[]): Command | undefined => path.reduce<Command | undefined>((c, name) => c?.commands.find((x) => x.name() === name), program);
  find(['sandbox'])?.action((raw: Parameters<typeof parseSandbox>[0]) => void parseSandbox(raw, 'x'));
  find(['webhook', 'serve'])?.action((raw: Parameters<typeof parseWebhookServe>[0]) => void parseWebhookServe(raw));
  find(['compose'])?.action((raw: Parameters<typeof parseCompose>[0]) => void parseCompose(raw));
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv as `main` does (same tree, same exit codes), on a terminal whose confirmations are all answered yes. */
async function runCanale(argv: readonly string[], options: { cwd: string; env: Record<string, string>; ids?: IdSource }): Promise<Run> {
  const stdout = new FakeOutput(true);
  const stderr = new FakeOutput(true);
  const base = fakeDeps({ tty: true });
  const deps: Deps = {
    ...base.deps,
    io: { stdout, stderr, stdinIsTTY: true },
    env: options.env,
    cwd: options.cwd,
    clock: new ShiftedClock(NOW),
    ids: options.ids ?? base.deps.ids,
    prompter: { ...base.deps.prompter, confirm: async () => true },
  };
  const app = new App(deps);
  const program = await buildProgram(app, argv);
  parseOnly(program);
  let code: number;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    code = app.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) code = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    else if (isCanaleError(error)) {
      stderr.write(`error: ${error.message}\n`);
      code = exitCodeOf(error.exit);
    } else throw error;
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}

let root = '';
let sandbox: Sandbox | undefined;
/** The seeded folders each example starts from a copy of: `full` has subscribers, `empty` only topics and templates. */
const seeds = { full: '', empty: '' };

/** A spreadsheet whose columns the `--map` example names. */
const EXPORT_CSV = 'Nome,Cellulare,Cell. ufficio,Zona,Argomenti\nGiulia Neri,333 555 1234,06 1234 5678,Prati,Cantieri\n';

async function seed(dir: string, env: Record<string, string>, withSubscribers: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  await cp(join(REPO, 'fixtures'), join(dir, 'fixtures'), { recursive: true });
  await cp(join(REPO, 'fixtures/messages/cantieri-via-nazionale.md'), join(dir, 'lavori.md'));
  await cp(join(REPO, 'fixtures/messages/raccolta-differenziata.md'), join(dir, 'raccolta.md'));
  await cp(join(REPO, 'fixtures/iscritti-excel.csv'), join(dir, 'iscritti.csv'));
  await cp(join(REPO, 'fixtures/modulo-google.csv'), join(dir, 'modulo.csv'));
  await cp(join(REPO, 'fixtures/messages/allerta-meteo.md'), join(dir, 'allerta.md'));
  await writeFile(join(dir, 'export.csv'), EXPORT_CSV);
  const ids = exampleIds();
  const step = async (...argv: string[]) => {
    const run = await runCanale(argv, { cwd: dir, env: { ...env, CANALE_HOME: join(dir, 'home') }, ids });
    expect(run.code, `seeding: canale ${argv.join(' ')}\n${run.stderr}`).toBe(0);
  };
  await step('init');
  // the city's WhatsApp number, which `signup` needs to make its links
  await step('config', 'set', 'whatsapp.number', '+39 06 1234 5678');
  await step('templates', 'sync');
  if (!withSubscribers) return;
  // Maria Rossi (333 123 4567, m.rossi@example.it) comes first: she is sub_7k3m9q2xaa
  await step('subscribers', 'import', 'iscritti.csv', '--yes');
  await step('subscribers', 'add', '--email', 'maria@example.it', '--name', 'Maria Bianchi', '--topics', 'cantieri,emergenze', '--attr', 'municipio=III');
  await step('send', '--topic', 'cantieri', '--message', 'lavori.md', '--yes');
  // the campaign the examples resume and cancel: stopped by a fatal error, as `send --resume` expects
  const home = join(dir, 'home');
  const campaign = await loadCampaign(home, 'cmp_7k3m9q2xaa');
  await saveCampaign(home, { ...campaign, status: 'interrupted', stopReason: 'the access token expired' });
  await step('schedule', 'add', 'lavori.md', '--topic', 'cantieri', '--at', '2027-06-01 08:30', '--yes');
  // as the README says for cron: the credentials the schedule will need, where `schedule run` looks for them
  const lines = Object.entries(env).map(([key, value]) => `${key}=${/^[\w.:/@+,=%-]*$/.test(value) ? value : `'${value}'`}`);
  await writeFile(join(home, 'schedule.env'), `${lines.join('\n')}\n`, { mode: 0o600 });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'canale-help-examples-'));
  sandbox = await startSandbox(root);
  seeds.full = join(root, 'seed-full');
  seeds.empty = join(root, 'seed-empty');
  await seed(seeds.full, sandbox.env, true);
  await seed(seeds.empty, sandbox.env, false);
}, 60_000);

afterAll(async () => {
  await sandbox?.graph.close();
  await sandbox?.sink.close();
  await rm(root, { recursive: true, force: true });
});

/** Examples that show a refusal on purpose, next to the example that gets past it, with what the refusal says. */
const REFUSED: Readonly<Record<string, RegExp>> = {
  // the seeded home has followers of eventi: removing it is refused, and the next example shows --force
  'canale topics remove eventi': /follow topic "eventi" — to remove it from them too, run: canale topics remove eventi --force/,
};

const examples = await helpExamples();
const pg = usePostgres();
let runs = 0;

describe('every --help example runs as printed', () => {
  it('finds the examples of every command', () => {
    expect(examples.length).toBeGreaterThan(60);
    expect(examples).toContain('canale send --topic cantieri --message lavori.md');
  });

  it.each(examples)('%s', async (line) => {
    const dir = join(root, `run-${++runs}`);
    // adding a subscriber the seed already has would be refused: those examples (and init) start from no subscribers
    const empty = /^canale (init|subscribers add|--home)/.test(line);
    await cp(empty ? seeds.empty : seeds.full, dir, { recursive: true });
    const { env, argv, stdoutTo } = splitCommandLine(line.replaceAll('/srv/canale', join(dir, 'srv', 'canale')));
    // a credential an example writes out (123456789, …) stands for the reader's own: here, the sandbox's
    const credentials = Object.fromEntries(Object.keys(env).map((k) => [k, sandbox?.env[k] ?? env[k] ?? '']));
    // `canale db …` works on a database: a fresh one of the run's PostgreSQL stands for the city's
    const database: Record<string, string> = argv[0] === 'db' ? { CANALE_DATABASE_URL: await pg.database() } : {};
    const run = await runCanale(argv, { cwd: dir, env: { ...sandbox?.env, CANALE_HOME: join(dir, 'home'), ...credentials, ...database } });
    if (stdoutTo !== undefined) await writeFile(join(dir, stdoutTo), run.stdout);
    const said = `${line}\nexit ${run.code}\n${run.stderr}`;
    expect(run.stderr, said).not.toMatch(/unknown topic|no such file|ENOENT|internal error|is in the past/i);
    const refusal = REFUSED[line];
    if (refusal === undefined) expect(run.code, said).toBe(0);
    else {
      expect(run.code, said).toBe(1);
      expect(run.stderr, said).toMatch(refusal);
    }
  });

  it('writes what the examples ask for', async () => {
    // one example's output, end to end: the JSON export the redirection wrote is the store's subscribers
    const line = 'canale subscribers export --format json > iscritti.json';
    expect(examples).toContain(line);
    const dir = join(root, 'export-check');
    await cp(seeds.full, dir, { recursive: true });
    const { argv } = splitCommandLine(line);
    const run = await runCanale(argv, { cwd: dir, env: { ...sandbox?.env, CANALE_HOME: join(dir, 'home') } });
    await writeFile(join(dir, 'iscritti.json'), run.stdout);
    expect(JSON.parse(await readFile(join(dir, 'iscritti.json'), 'utf8'))).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'sub_7k3m9q2xaa' })]));
  });
});
