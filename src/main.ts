import { Command, CommanderError } from 'commander';
import { describeDiskError } from './adapters/fs/disk-errors.js';
import { describeDatabaseError } from './adapters/postgres/database-errors.js';
import { resolveHome } from './adapters/home.js';
import { App } from './commands/app.js';
import { exitCodeOf, EXIT, isCanaleError } from './core/errors.js';
import type { Deps } from './deps.js';
import { Ui } from './ui/ui.js';

type Register = (program: Command, app: App) => void;

/**
 * Every top-level command, in the order help lists them, with its module loaded only when it is registered: a
 * command does not pay for the others' libraries (undici, nodemailer, marked, yaml…), about 0.3 s at each start.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['init', async () => (await import('./commands/init.js')).registerInit],
  ['config', async () => (await import('./commands/config/index.js')).registerConfig],
  ['topics', async () => (await import('./commands/topics/index.js')).registerTopics],
  ['subscribers', async () => (await import('./commands/subscribers/index.js')).registerSubscribers],
  ['signup', async () => (await import('./commands/signup/index.js')).registerSignup],
  ['templates', async () => (await import('./commands/templates/index.js')).registerTemplates],
  ['send', async () => (await import('./commands/send/index.js')).registerSend],
  ['schedule', async () => (await import('./commands/schedule/index.js')).registerSchedule],
  ['sandbox', async () => (await import('./commands/sandbox.js')).registerSandbox],
  ['doctor', async () => (await import('./commands/doctor.js')).registerDoctor],
  [
    'import',
    async () => {
      const { registerSubscriberImport } = await import('./commands/subscribers/import-command.js');
      return (program, app) => registerSubscriberImport(program, app, 'alias of: canale subscribers import');
    },
  ],
  ['preview', async () => (await import('./commands/preview/index.js')).registerPreview],
  ['compose', async () => (await import('./commands/compose/index.js')).registerCompose],
  ['campaigns', async () => (await import('./commands/campaigns/index.js')).registerCampaigns],
  ['report', async () => (await import('./commands/report/index.js')).registerReport],
  ['webhook', async () => (await import('./commands/webhook/index.js')).registerWebhook],
  ['db', async () => (await import('./commands/db/index.js')).registerDb],
];

/** The top-level command argv names (after the global options), if any. */
function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return undefined;
    if (arg === '--home') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/**
 * Builds the command tree for one call, with its output routed to the injected streams. When argv names a
 * top-level command only that one is registered: its help, errors and suggestions involve no other. Anything else
 * (no command, `help`, a misspelt one, or no argv) gets the whole tree, so help and "did you mean" see every command.
 */
export async function buildProgram(app: App, argv?: readonly string[]): Promise<Command> {
  const { io } = app.deps;
  const program = new Command('canale')
    .description("Run a city's public broadcast channel: subscribers, topics, and updates on WhatsApp and e-mail.")
    .version(app.deps.version, '-V, --version', 'print the version')
    .option('--home <dir>', 'the canale home (default: $CANALE_HOME, else $XDG_DATA_HOME/canale)')
    .option('-q, --quiet', 'print only data and errors')
    .option('--no-color', 'never use colour (also: NO_COLOR=1)')
    .option('-y, --yes', 'confirm without asking (needed when stdin is not a terminal)')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ canale init
  $ canale subscribers add --phone "333 123 4567" --name "Maria Rossi" --topics cantieri,scuola
  $ canale subscribers list --topic cantieri --where municipio=I

Exit codes: 0 done, 1 failed, 2 usage, 3 partial, 4 busy (another canale is working), 130 interrupted.
`,
    );
  const word = argv === undefined ? undefined : commandWord(argv);
  const named = COMMANDS.filter(([name]) => name === word);
  const registers = await Promise.all((named.length > 0 ? named : COMMANDS).map(([, load]) => load()));
  for (const register of registers) register(program, app);
  return program;
}

/**
 * The whole CLI: parses argv, runs the command, and turns every outcome into an exit code (DESIGN §4).
 * This is the one place errors are printed: a user's mistake as one line, a bug as an internal error.
 */
export async function main(argv: readonly string[], deps: Deps): Promise<number> {
  const app = new App(deps);
  try {
    await (await buildProgram(app, argv)).parseAsync([...argv], { from: 'user' });
    return app.exitCode;
  } catch (error) {
    return reportError(error, deps, argv);
  }
}

const FS_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder, not a file',
  ENOENT: 'no such file or folder',
};

/** The home a call used, for a disk error thrown without a path (a write on an open file). */
function homeOf(argv: readonly string[], deps: Deps): string {
  const at = argv.findIndex((a) => a === '--home' || a.startsWith('--home='));
  const flag = at < 0 ? undefined : (argv[at] as string).startsWith('--home=') ? (argv[at] as string).slice(7) : argv[at + 1];
  return resolveHome(flag, deps.env, deps.cwd);
}

function reportError(error: unknown, deps: Deps, argv: readonly string[]): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (with "did you mean …?") through configureOutput
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    return EXIT.usage;
  }
  const ui = new Ui(deps.io, deps.env, { color: true, quiet: false });
  const debug = deps.env.CANALE_DEBUG === '1' || deps.env.CANALE_DEBUG === 'true';
  const red = ui.errColor.red;
  // a database error (the role may not, the server went away) is the database's, never a bug in canale
  error = describeDatabaseError(error) ?? error;
  if (isCanaleError(error)) {
    // a person who pressed Ctrl-C at a question made no mistake: say what happened, not "error"
    deps.io.stderr.write(error.code === 'PROMPT_CANCELLED' ? `${error.message}\n` : `${red('error:')} ${error.message}\n`);
    if (debug && error.stack !== undefined) deps.io.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error.exit);
  }
  const errno = error as NodeJS.ErrnoException;
  // a full, read-only or failing disk is never a bug in canale (ENOSPC, EDQUOT, EROFS, EIO)
  const disk = describeDiskError(error, errno?.path ?? homeOf(argv, deps));
  if (disk !== undefined) {
    deps.io.stderr.write(`${red('error:')} ${disk}\n`);
    if (debug && errno.stack !== undefined) deps.io.stderr.write(`${errno.stack}\n`);
    return EXIT.failed;
  }
  const known = errno?.code === undefined ? undefined : FS_ERRORS[errno.code];
  if (known !== undefined && errno.path !== undefined) {
    deps.io.stderr.write(`${red('error:')} cannot ${errno.syscall ?? 'use'} ${errno.path}: ${known}\n`);
    if (debug && errno.stack !== undefined) deps.io.stderr.write(`${errno.stack}\n`);
    return EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  deps.io.stderr.write(`${red('internal error:')} ${message} — this is a bug in canale; run again with CANALE_DEBUG=1 and report what it prints\n`);
  if (debug && error instanceof Error && error.stack !== undefined) deps.io.stderr.write(`${error.stack}\n`);
  return EXIT.failed;
}
