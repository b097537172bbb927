import { Command, CommanderError } from 'commander';
import { App } from './commands/app.js';
import { registerConfig } from './commands/config/index.js';
import { registerDoctor } from './commands/doctor.js';
import { registerCompose } from './commands/compose/index.js';
import { registerCampaigns } from './commands/campaigns/index.js';
import { registerInit } from './commands/init.js';
import { registerReport } from './commands/report/index.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSend } from './commands/send/index.js';
import { registerSchedule } from './commands/schedule/index.js';
import { registerPreview } from './commands/preview/index.js';
import { registerSubscriberImport } from './commands/subscribers/import-command.js';
import { registerSubscribers } from './commands/subscribers/index.js';
import { registerTemplates } from './commands/templates/index.js';
import { registerTopics } from './commands/topics/index.js';
import { registerWebhook } from './commands/webhook/index.js';
import { exitCodeOf, EXIT, isCanaleError } from './core/errors.js';
import type { Deps } from './deps.js';
import { Ui } from './ui/ui.js';

/** Builds the whole command tree for one call, with its output routed to the injected streams. */
export function buildProgram(app: App): Command {
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
  registerInit(program, app);
  registerConfig(program, app);
  registerTopics(program, app);
  registerSubscribers(program, app);
  registerTemplates(program, app);
  registerSend(program, app);
  registerSchedule(program, app);
  registerSandbox(program, app);
  registerDoctor(program, app);
  registerSubscriberImport(program, app, 'alias of: canale subscribers import');
  registerPreview(program, app);
  registerCompose(program, app);
  registerCampaigns(program, app);
  registerReport(program, app);
  registerWebhook(program, app);
  return program;
}

/**
 * The whole CLI: parses argv, runs the command, and turns every outcome into an exit code (DESIGN §4).
 * This is the one place errors are printed: a user's mistake as one line, a bug as an internal error.
 */
export async function main(argv: readonly string[], deps: Deps): Promise<number> {
  const app = new App(deps);
  try {
    await buildProgram(app).parseAsync([...argv], { from: 'user' });
    return app.exitCode;
  } catch (error) {
    return reportError(error, deps);
  }
}

const FS_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the disk',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder, not a file',
  ENOENT: 'no such file or folder',
};

function reportError(error: unknown, deps: Deps): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (with "did you mean …?") through configureOutput
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    return EXIT.usage;
  }
  const ui = new Ui(deps.io, deps.env, { color: true, quiet: false });
  const debug = deps.env.CANALE_DEBUG === '1' || deps.env.CANALE_DEBUG === 'true';
  const red = ui.errColor.red;
  if (isCanaleError(error)) {
    deps.io.stderr.write(`${red('error:')} ${error.message}\n`);
    if (debug && error.stack !== undefined) deps.io.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error.exit);
  }
  const errno = error as NodeJS.ErrnoException;
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
