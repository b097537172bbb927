import { readConfigFile } from '../adapters/config-file.js';
import { ensureHome, homePaths, resolveHome, type HomePaths } from '../adapters/home.js';
import { CanaleError, usageError } from '../core/errors.js';
import type { Persistence, SubscriberPorts, SubscriberStore } from '../core/ports.js';
import { hidePassword } from '../core/config-keys.js';
import { resolveSettings, type Settings } from '../core/settings.js';
import type { Deps } from '../deps.js';
import { Ui } from '../ui/ui.js';

/** The global flags every command accepts (commander's `optsWithGlobals()`). */
export interface GlobalOptions {
  readonly home?: string;
  readonly quiet?: boolean;
  readonly color?: boolean;
  readonly yes?: boolean;
}

/**
 * What a running command works with: its Ui, its home, and lazily the store and settings. Any command that
 * needs the home creates it when it is missing (the same thing `canale init` does) and says so on stderr.
 */
export class Context {
  readonly ui: Ui;
  readonly paths: HomePaths;
  readonly yes: boolean;
  private homeReady: Promise<void> | undefined;
  private persistence: Promise<Persistence> | undefined;
  private subscriberPorts: Promise<SubscriberPorts> | undefined;

  constructor(
    readonly deps: Deps,
    globals: GlobalOptions,
  ) {
    this.ui = new Ui(deps.io, deps.env, { color: globals.color !== false, quiet: globals.quiet === true });
    this.paths = homePaths(resolveHome(globals.home, deps.env, deps.cwd));
    this.yes = globals.yes === true;
  }

  /** Creates what is missing of the home, once per command; returns the paths it created. */
  async prepareHome(): Promise<string[]> {
    let created: string[] = [];
    this.homeReady ??= (async () => {
      created = await ensureHome(this.paths, { store: false });
      // with a database the subscribers are there: no db.json beside config.json
      const inDatabase = (await this.readSettings()).get('database.url') !== undefined;
      if (!inDatabase) created.push(...(await ensureHome(this.paths)));
      if (created.includes(this.paths.db)) this.ui.info(`created the canale home at ${this.paths.home} (config.json, db.json, default topics)`);
      else if (created.includes(this.paths.config)) this.ui.info(`created the canale home at ${this.paths.home} (config.json)`);
    })();
    await this.homeReady;
    return created;
  }

  /** The stores behind their ports (Deps.persistence): the home's files, or the database `database.url` names; built once per command. */
  async ports(): Promise<Persistence> {
    this.persistence ??= this.persistenceOptions().then((options) => this.deps.persistence(this.paths, options));
    return this.persistence;
  }

  /**
   * The subscriber store, for a command that needs no other port: built alone (Deps.subscriberStore) — on a home
   * without the modules of the other stores — or taken from the ports when they are built or no such factory is given.
   * A command that asks for the ports after this gets a second subscriber store over the same files or database.
   */
  async subscribers(): Promise<SubscriberStore> {
    const alone = this.deps.subscriberStore;
    if (alone === undefined || this.persistence !== undefined) return (await this.ports()).subscribers;
    this.subscriberPorts ??= this.persistenceOptions().then((options) => alone(this.paths, options));
    return (await this.subscriberPorts).subscribers;
  }

  private async persistenceOptions() {
    const databaseUrl = (await this.settings()).get('database.url');
    return {
      clock: this.deps.clock,
      ...(this.deps.processes === undefined ? {} : { owner: this.deps.processes }),
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
    };
  }

  /** Where the subscribers are kept, for messages: db.json's path, or the database (its password hidden). */
  async storeLabel(): Promise<string> {
    const url = (await this.settings()).get('database.url');
    return url === undefined ? this.paths.db : `the database ${hidePassword(url)}`;
  }

  /** Releases what the ports hold open (the event log's files, a database's connections), once the command is done. */
  async close(): Promise<void> {
    const ports = await this.persistence?.catch(() => undefined);
    await ports?.events.close();
    await ports?.close?.();
    await (await this.subscriberPorts?.catch(() => undefined))?.close?.();
  }

  /** The settings as they apply now (environment, config.json, defaults), read afresh at each call. */
  async settings(): Promise<Settings> {
    await this.prepareHome();
    return this.readSettings();
  }

  private async readSettings(): Promise<Settings> {
    const file = await readConfigFile(this.paths.config);
    return resolveSettings(file.settings, this.deps.env);
  }

  /** The default country for phone numbers. */
  async country(): Promise<string> {
    return (await this.settings()).get('country');
  }

  now(): string {
    return this.deps.clock.now().toISOString();
  }

  /**
   * Gets a yes before a command that overrides data or a citizen's choice: `--yes`, or a prompt on a terminal.
   * Without a terminal and without `--yes` it is a usage error (exit 2); a "no" stops with nothing done (exit 1).
   */
  async confirm(question: string, flagHint: string): Promise<void> {
    if (this.yes) return;
    if (!this.ui.isInteractive) {
      throw usageError('CONFIRMATION_NEEDED', `${question.replace(/\?$/, '')}: not a terminal, so re-run with --yes to confirm (${flagHint})`);
    }
    const answer = await this.deps.prompter.confirm(question, false);
    if (!answer) throw new CanaleError('CANCELLED', 'cancelled — nothing was changed');
  }
}
