import type { Command } from 'commander';
import type { Context } from '../context.js';
import { collect, withExamples, type App } from '../app.js';
import type { SubscriberAddFlags } from './add.js';
import type { SubscriberExportFlags } from './export.js';
import { registerSubscriberImport } from './import-command.js';
import type { SubscriberQueryFlags } from './list.js';
import type { SubscriberUpdateFlags } from './update.js';

// each verb's module is loaded when it runs: an add does not pay for the CSV, encoding and progress libraries of
// import and export (some 50 ms of a 0.3 s add on a million subscribers)

const REF = 'subscriber id, phone number (any writing) or e-mail';

function queryFlags(command: Command): Command {
  return command
    .option('--topic <topic>', 'follows this topic (repeatable: any of them)', collect)
    .option('--status <status>', 'active, unsubscribed, or pending (web sign-ups waiting for their confirmation)')
    .option('--where <key=value>', 'attribute equals value, ignoring case (repeatable: all of them)', collect)
    .option('--search <text>', 'a piece of the name, phone or e-mail')
    .option('--json', 'print JSON');
}

export function registerSubscribers(program: Command, app: App): void {
  const subscribers = withExamples(program.command('subscribers').description('the citizens who opted in, and their choices'), [
    'canale subscribers add --phone "333 123 4567" --name "Maria Rossi" --topics cantieri',
    'canale subscribers list --topic cantieri',
    'canale subscribers forget "+39 333 123 4567"',
  ]);

  withExamples(
    subscribers
      .command('add')
      .description('add a citizen who gave consent')
      .option('--phone <phone>', 'mobile number, any writing (333 123 4567, +39 333-1234567, 0039…)')
      .option('--email <email>', 'e-mail address')
      .option('--name <name>', 'full name')
      .option('--topics <a,b>', 'topics followed, by id or label')
      .option('--channel <channel>', 'preferred channel: whatsapp or email (default: whatsapp when there is a phone)')
      .option('--attr <key=value>', 'an attribute such as municipio=I (repeatable)', collect)
      .option('--consent-source <source>', 'where consent was given (default: cli)')
      .option('--consent-note <text>', 'a note on the consent, e.g. "modulo firmato allo sportello"')
      .option('--consent-at <date>', 'when consent was given (default: now)')
      .option('--json', 'print the new subscriber as JSON'),
    [
      'canale subscribers add --phone "333 123 4567" --name "Maria Rossi" --topics cantieri,scuola',
      'canale subscribers add --email luca@example.it --topics "Raccolta differenziata" --attr municipio=II',
      'canale subscribers add --phone 3331234567 --email m@example.it --channel email --topics emergenze --consent-note "sportello URP"',
    ],
  ).action(app.action(async (flags: SubscriberAddFlags, ctx: Context) => import('./add.js').then(({ parseSubscriberAdd, runSubscriberAdd }) => runSubscriberAdd(parseSubscriberAdd(flags), ctx))));

  withExamples(queryFlags(subscribers.command('list').description('list subscribers (a table; tab-separated in a pipe)')), [
    'canale subscribers list --topic cantieri --where municipio=I',
    'canale subscribers list --status unsubscribed --json',
    'canale subscribers list --status pending',
    'canale subscribers list --search rossi',
  ]).action(app.action(async (flags: SubscriberQueryFlags, ctx: Context) => import('./list.js').then(({ parseSubscriberQuery, runSubscriberList }) => runSubscriberList(parseSubscriberQuery(flags), ctx))));

  withExamples(queryFlags(subscribers.command('count').description('count subscribers matching the filters')), [
    'canale subscribers count --topic cantieri',
    'canale subscribers count --status active --where quartiere=centro --json',
  ]).action(app.action(async (flags: SubscriberQueryFlags, ctx: Context) => import('./list.js').then(({ parseSubscriberQuery, runSubscriberCount }) => runSubscriberCount(parseSubscriberQuery(flags), ctx))));

  withExamples(
    subscribers.command('show').argument('<ref>', REF).description('everything kept about one subscriber').option('--json', 'print JSON'),
    ['canale subscribers show sub_7k3m9q2xaa', 'canale subscribers show "333 123 4567" --json'],
  ).action(app.action(async (ref: string, flags: { json?: boolean }, ctx: Context) => import('./show.js').then(({ runSubscriberShow }) => runSubscriberShow(ref, { json: flags.json === true }, ctx))));

  withExamples(
    subscribers
      .command('update')
      .argument('<ref>', REF)
      .description("change a subscriber's contacts, topics, channel or attributes")
      .option('--name <name>', 'new name ("" removes it)')
      .option('--phone <phone>', 'new phone ("" removes it)')
      .option('--email <email>', 'new e-mail ("" removes it)')
      .option('--channel <channel>', 'preferred channel: whatsapp or email')
      .option('--topics <a,b>', 'the complete new list of topics')
      .option('--attr <key=value>', 'set an attribute; key= removes it (repeatable)', collect)
      .option('--json', 'print the updated subscriber as JSON'),
    ['canale subscribers update m.rossi@example.it --phone "347 000 1111"', 'canale subscribers update sub_7k3m9q2xaa --topics cantieri,mobilita --attr municipio=III'],
  ).action(app.action(async (ref: string, flags: SubscriberUpdateFlags, ctx: Context) => import('./update.js').then(({ parseSubscriberUpdate, runSubscriberUpdate }) => runSubscriberUpdate(parseSubscriberUpdate(ref, flags), ctx))));

  withExamples(
    subscribers
      .command('unsubscribe')
      .argument('<ref>', REF)
      .description("record a citizen's opt-out: from one topic, or from everything")
      .option('--topic <topic>', 'leave only this topic')
      .option('--note <text>', 'how the request came (e.g. "telefonata al centralino")'),
    ['canale subscribers unsubscribe "333 123 4567"', 'canale subscribers unsubscribe m.rossi@example.it --topic eventi'],
  ).action(app.action(async (ref: string, flags: { topic?: string; note?: string }, ctx: Context) => import('./opt-out.js').then(({ runSubscriberUnsubscribe }) => runSubscriberUnsubscribe({ ref, ...flags }, ctx))));

  withExamples(
    subscribers
      .command('resubscribe')
      .argument('<ref>', REF)
      .description("undo an opt-out (overrides the citizen's choice: asks first, or needs --yes)")
      .option('--topic <topic>', 'rejoin only this topic')
      .option('--note <text>', 'why: the new consent (e.g. "nuovo modulo firmato")'),
    ['canale subscribers resubscribe "333 123 4567" --note "nuovo modulo firmato"', 'canale subscribers resubscribe sub_7k3m9q2xaa --topic eventi --yes'],
  ).action(app.action(async (ref: string, flags: { topic?: string; note?: string }, ctx: Context) => import('./opt-out.js').then(({ runSubscriberResubscribe }) => runSubscriberResubscribe({ ref, ...flags }, ctx))));

  withExamples(
    subscribers.command('forget').argument('<ref>', REF).description('erase a subscriber and every copy of their data from the home (asks first)'),
    ['canale subscribers forget "333 123 4567"', 'canale subscribers forget m.rossi@example.it --yes'],
  ).action(app.action(async (ref: string, _flags: unknown, ctx: Context) => import('./forget.js').then(({ runSubscriberForget }) => runSubscriberForget(ref, ctx))));

  withExamples(
    subscribers
      .command('export')
      .description('write every subscriber as CSV (readable by subscribers import) or JSON')
      .option('--format <format>', 'csv (default) or json')
      .option('--out <file>', 'write to a file outside the home (mode 0600) instead of stdout')
      .option('--force', 'replace the --out file if it exists')
      .option('--excel', 'CSV that Italian Excel opens with a double click (";", UTF-8 with BOM, CRLF)'),
    ['canale subscribers export --out iscritti.csv', 'canale subscribers export --format json > iscritti.json', 'canale subscribers export --excel --out iscritti-excel.csv'],
  ).action(app.action(async (flags: SubscriberExportFlags, ctx: Context) => import('./export.js').then(({ parseSubscriberExport, runSubscriberExport }) => runSubscriberExport(parseSubscriberExport(flags), ctx))));

  registerSubscriberImport(subscribers, app, 'import subscribers from a CSV file (Excel, LibreOffice, Google Forms, canale export)');
}
