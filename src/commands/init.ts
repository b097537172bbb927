import type { Command } from 'commander';
import { withExamples, type App } from './app.js';
import type { Context } from './context.js';
import { admin } from './database.js';

export interface InitOptions {
  readonly json: boolean;
}

/**
 * Creates the home (0700) with config.json and db.json (0600) and the default topics; with a database
 * (database.url) it also creates or migrates its schema. Run again, it creates only what is missing and never wipes
 * data; it also reads the store, so a damaged one is reported here.
 */
export async function runInit(options: InitOptions, ctx: Context): Promise<void> {
  const created = await ctx.prepareHome();
  const url = (await ctx.settings()).get('database.url');
  // with a database, its schema is made (or brought up to date) before anything reads it
  const migrated = url === undefined ? undefined : await (await admin()).migrateDatabase(url);
  const subscribers = await ctx.subscribers();
  const summary = {
    home: ctx.paths.home,
    created,
    ...(migrated === undefined ? {} : { database: { url: migrated.url, version: migrated.version, applied: migrated.applied.map((m) => m.version) } }),
    topics: (await subscribers.topics()).length,
    subscribers: await subscribers.count(),
  };
  if (options.json) {
    ctx.ui.json(summary);
    return;
  }
  if (migrated !== undefined) {
    ctx.ui.success(
      `the database at ${migrated.url} ${migrated.applied.length === 0 ? 'is up to date' : `has canale's schema now (${migrated.applied.map((m) => `version ${m.version}`).join(', ')} applied)`}: schema version ${migrated.version}`,
    );
  }
  if (created.length === 0) {
    ctx.ui.success(`the canale home at ${ctx.paths.home} is ready: ${summary.topics} topics, ${summary.subscribers} subscribers (nothing changed)`);
  } else if (!created.includes(ctx.paths.db)) {
    ctx.ui.success(`completed the canale home at ${ctx.paths.home}: created ${created.join(', ')}`);
  }
  ctx.ui.info(`next: canale subscribers add --phone "333 123 4567" --topics cantieri   (or: canale topics list)`);
}

export function registerInit(program: Command, app: App): void {
  withExamples(
    program
      .command('init')
      .description('create the canale home: config.json, db.json and the default topics (safe to run again)')
      .option('--json', 'print what was created as JSON'),
    ['canale init', 'canale --home /srv/canale init', 'CANALE_HOME=/srv/canale canale init --json'],
  ).action(app.action(async (raw: { json?: boolean }, ctx: Context) => runInit({ json: raw.json === true }, ctx)));
}
