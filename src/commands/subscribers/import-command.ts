import type { Command } from 'commander';
import { collect, withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import type { SubscriberImportFlags } from './import.js';

const HELP = `
The delimiter (, ; tab |) and the encoding (UTF-8 with or without BOM, UTF-16, Windows-1252) are detected.
Headers are recognised in Italian and English (nome, cognome, telefono/cellulare, email, argomenti, canale,
consenso, data consenso…); any other column becomes an attribute. A dry run shows the mapping it chose.

All or nothing: if any row is invalid nothing is imported and every error is listed with its line (exit 1);
--skip-invalid imports the valid rows (exit 3 when some were rejected). --dry-run changes nothing and exits as
the real import would (0, 1 or 3). Matching subscribers (same phone or e-mail) get new topics, empty fields and
attributes; nothing is erased. Someone who unsubscribed is never re-subscribed unless --allow-resubscribe.
--errors FILE is written on every run, a dry run too. Off a terminal the import needs --yes (a dry run does not).`;

/** Registers `import FILE` under `parent`: `canale subscribers import` and its alias `canale import`. */
export function registerSubscriberImport(parent: Command, app: App, description: string): void {
  withExamples(
    parent
      .command('import')
      .argument('<file>', 'the CSV file: an Excel or LibreOffice export, a Google Forms download, or a canale export')
      .description(description)
      .option('--dry-run', 'show the mapping and what would change; change nothing')
      .option('--delimiter <char>', 'the field delimiter: , ; | or tab (default: detected)')
      .option('--encoding <name>', 'utf-8, utf-16le, utf-16be or windows-1252 (default: detected)')
      .option('--country <CC>', 'country of phone numbers written without +prefix (default: the config\'s country)')
      .option('--topics <a,b>', 'topics every row gets, besides its own')
      .option('--create-topics', 'create the topics the file names that do not exist yet')
      .option('--mode <mode>', 'upsert: add new and update known subscribers (default); insert: only add new ones')
      .option('--skip-invalid', 'import the valid rows even when some are invalid (exit 3)')
      .option('--allow-resubscribe', 're-subscribe people who had opted out (only with their new consent)')
      .option('--errors <file>', 'write the rejected rows there (outside the home), with a reason column, to fix and import again')
      .option('--force', 'replace the --errors file if it exists')
      .option('--map <COL=FIELD>', 'say what a column holds: a field, attr:KEY or ignore (repeatable)', collect)
      .option('--json', 'print { read, inserted, updated, unchanged, duplicates, blocked, rejected, errors } as JSON')
      .addHelpText('after', HELP),
    [
      'canale subscribers import iscritti.csv --dry-run',
      'canale subscribers import modulo.csv --topics eventi --skip-invalid --errors scartati.csv --yes',
      'canale import export.csv --map "Cell. ufficio=ignore" --map "Zona=attr:quartiere" --json --yes',
    ],
  ).action(
    app.action(async (file: string, flags: SubscriberImportFlags, ctx: Context) =>
      import('./import.js').then(({ parseSubscriberImport, runSubscriberImport }) => runSubscriberImport(parseSubscriberImport(file, flags), ctx)),
    ),
  );
}
