import { resolve } from 'node:path';
import type { Command } from 'commander';
import { homePaths } from '../../adapters/home.js';
import type { ImportOutcome, ImportPlan } from '../../adapters/postgres/pg-import-home.js';
import { withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { usageError } from '../../core/errors.js';
import { canaleCommand } from '../../core/shell-quote.js';
import { admin, databaseUrl } from '../database.js';

/** `canale db migrate`: creates or updates the schema; a new database gets the default topics. */
export async function runDbMigrate(options: { readonly json: boolean }, ctx: Context): Promise<void> {
  const outcome = await (await admin()).migrateDatabase(await databaseUrl(ctx));
  if (options.json) {
    ctx.ui.json({ url: outcome.url, version: outcome.version, applied: outcome.applied.map((m) => ({ version: m.version, name: m.name })) });
    return;
  }
  if (outcome.applied.length === 0) ctx.ui.success(`the database at ${outcome.url} is up to date: schema version ${outcome.version}`);
  for (const step of outcome.applied) ctx.ui.success(`applied schema version ${step.version}: ${step.name}`);
  if (outcome.applied.some((m) => m.version === 1)) ctx.ui.info('the database has the default topics (see them with: canale topics list)');
}

/** `canale db status`: which database, its server, and whether its schema is this canale's. */
export async function runDbStatus(options: { readonly json: boolean }, ctx: Context): Promise<number> {
  const status = await (await admin()).databaseStatus(await databaseUrl(ctx));
  if (options.json) ctx.ui.json(status);
  else {
    ctx.ui.out(`database: ${status.url} (PostgreSQL ${status.server})`);
    ctx.ui.out(
      `schema: version ${status.schemaVersion}${status.upToDate ? ', up to date' : ` — this canale needs ${status.knownVersion}: run canale db migrate`}`,
    );
  }
  if (status.importing !== undefined && !options.json) {
    ctx.ui.out(
      status.importing.isRunning
        ? `import: a db import-home from ${status.importing.home} is copying into it now (since ${status.importing.startedAt}): other commands wait for it`
        : `import: a db import-home from ${status.importing.home} started at ${status.importing.startedAt} did not finish — run it again: it starts over`,
    );
  }
  return status.upToDate && status.importing === undefined ? 0 : 1;
}

/** `canale db roles --print`: the SQL of the public host's least-privilege roles, for the tables' owner to run. */
export async function runDbRoles(options: { readonly print: boolean; readonly role: string; readonly login: string }, ctx: Context): Promise<void> {
  if (!options.print) {
    throw usageError('ROLES_PRINT_ONLY', 'canale db roles only prints the SQL (--print): run what it prints with psql as the owner of canale\'s tables, e.g. canale db roles --print > roles.sql && psql "$CANALE_DATABASE_URL" -f roles.sql');
  }
  const { webhookRolesSql } = await import('../../adapters/postgres/pg-roles.js');
  const { sql } = webhookRolesSql({ role: options.role, login: options.login });
  ctx.ui.out(sql.trimEnd());
  ctx.ui.info(`the login role ${options.login} has a new random password, in the SQL above: keep it in the public host's database.url, and the SQL out of version control`);
}

/**
 * `canale db import-home [HOME]`: copies a JSON home (this command's own, or the folder HOME) into the configured
 * database, which must hold nothing yet; all or nothing (pg-import-home.ts), then says what it copied.
 */
export async function runDbImportHome(options: { readonly home?: string; readonly json: boolean }, ctx: Context): Promise<void> {
  const url = await databaseUrl(ctx);
  const source = options.home === undefined ? ctx.paths : homePaths(resolve(ctx.deps.cwd, options.home));
  const again = canaleCommand('db', 'import-home', ...(options.home === undefined ? [] : [source.home]), '--yes');
  const { importHome } = await import('../../adapters/postgres/pg-import-home.js');
  const outcome = await importHome({
    url,
    source,
    paths: ctx.paths,
    clock: ctx.deps.clock,
    ...(ctx.deps.processes === undefined ? {} : { owner: ctx.deps.processes }),
    confirm: (plan) => ctx.confirm(importQuestion(plan), again),
    progress: (line) => ctx.ui.info(line),
  });
  if (options.json) ctx.ui.json(outcome);
  else printImport(outcome, ctx);
}

function importQuestion(plan: ImportPlan): string {
  const earlier = plan.unfinished === undefined ? '' : ` An earlier db import-home from ${plan.unfinished.home} (started at ${plan.unfinished.startedAt}) did not finish: what it copied is removed first.`;
  return `Copy the home at ${plan.home} (${plan.subscribers} subscriber(s), ${plan.campaigns} campaign(s)) into the database at ${plan.url}?${earlier}`;
}

function printImport(o: ImportOutcome, ctx: Context): void {
  if (o.startedOver !== undefined) ctx.ui.info(`removed what the unfinished db import-home from ${o.startedOver.home} (started at ${o.startedOver.startedAt}) had copied`);
  ctx.ui.success(`copied the home at ${o.home} into the database at ${o.url}`);
  const c = o.campaigns;
  ctx.ui.info(`subscribers: ${o.subscribers}, topics: ${o.topics}, synced templates: ${o.templates}`);
  ctx.ui.info(`campaigns: ${c.copied} (${c.recipients} recipient(s), ${c.journalLines} journal line(s), ${c.dropped} dropped, ${c.trouble} account trouble report(s))`);
  ctx.ui.info(`webhook inbox: ${o.inbox.entries} line(s), ${o.inbox.cursor.lines} of them applied; opt-out feed: ${o.optOuts} line(s); WhatsApp failure streaks: ${o.failureStreaks}`);
  ctx.ui.info(`schedules: ${o.schedules}`);
  ctx.ui.info(`pending web sign-ups: ${o.signups}`);
  for (const d of o.damaged) ctx.ui.warn(`campaign ${d.id} was not copied: ${d.problem}`);
  for (const warning of o.warnings) ctx.ui.warn(warning);
}

export function registerDb(program: Command, app: App): void {
  const db = withExamples(
    program.command('db').description('the PostgreSQL database several machines share (database.url): schema, roles, moving a home in'),
    ['canale db migrate', 'canale db status --json', 'canale db roles --print > roles.sql', 'canale db import-home --yes'],
  );
  withExamples(
    db.command('migrate').description('create or update canale\'s schema in the database (safe to run again; init runs it too)').option('--json', 'print what was applied as JSON'),
    ['canale db migrate', 'CANALE_DATABASE_URL=postgres://canale:…@db.comune.example:5432/canale canale db migrate --json'],
  ).action(app.action(async (raw: { json?: boolean }, ctx: Context) => runDbMigrate({ json: raw.json === true }, ctx)));
  withExamples(
    db.command('status').description('which database, its server version, whether its schema is the one this canale needs, and an unfinished import-home (exit 1: either)').option('--json', 'print JSON'),
    ['canale db status', 'canale db status --json'],
  ).action(app.action(async (raw: { json?: boolean }, ctx: Context) => runDbStatus({ json: raw.json === true }, ctx)));
  withExamples(
    db
      .command('roles')
      .description("print the SQL of the public host's least-privilege role (webhook serve records events, receipts and opt-outs, and cannot read or export the subscriber list), for the tables' owner to run: psql \"$CANALE_DATABASE_URL\" -f roles.sql")
      .option('--print', 'print the SQL (canale never runs it: the tables\' owner does, with psql)')
      .option('--role <name>', 'the group role holding the grants', 'canale_webhook')
      .option('--login <name>', 'the login role made in it, for the public host\'s database.url', 'canale_public'),
    ['canale db roles --print > roles.sql', 'canale db roles --print --role webhook_roma --login webhook_roma_host'],
  ).action(
    app.action(async (raw: { print?: boolean; role: string; login: string }, ctx: Context) => runDbRoles({ print: raw.print === true, role: raw.role, login: raw.login }, ctx)),
  );
  withExamples(
    db
      .command('import-home')
      .argument('[HOME]', 'the folder of the home to copy (default: this command\'s home)')
      .description(
        'copy a home\'s files (subscribers, topics, templates, campaigns with their journals, the webhook inbox, opt-outs, schedules, pending web sign-ups) into the configured database, which must hold nothing yet — all or nothing: until it finishes every other command refuses the database, and running it again after a failure starts over. Stop webhook serve and sends first, on that home and on any host already pointed at the database (they are not stopped by it); config.json and schedule.env stay in each machine\'s home',
      )
      .option('--json', 'print what was copied as JSON'),
    ['canale db import-home --yes', 'canale db import-home ./home --json --yes'],
  ).action(app.action(async (home: string | undefined, raw: { json?: boolean }, ctx: Context) => runDbImportHome({ ...(home === undefined ? {} : { home }), json: raw.json === true }, ctx)));
}
