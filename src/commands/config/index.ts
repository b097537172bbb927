import type { Command } from 'commander';
import { readConfigFile, writeConfigFile } from '../../adapters/config-file.js';
import { withFileLock } from '../../adapters/fs/file-lock.js';
import { checkConfigValue, configKey, hidePassword, redact, type ResolvedSetting } from '../../core/config-keys.js';
import { withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { printTable } from '../../ui/table.js';

function shown(setting: ResolvedSetting): { key: string; value: string | number | null; source: string } {
  const value = setting.value === undefined ? null : setting.secret ? redact(setting) : typeof setting.value === 'string' ? hidePassword(setting.value) : setting.value;
  return { key: setting.key, value, source: setting.source };
}

/** Every setting with the value that applies and where it comes from; secrets redacted. */
export async function runConfigList(options: { readonly json: boolean }, ctx: Context): Promise<void> {
  const settings = (await ctx.settings()).list().map(shown);
  if (options.json) {
    ctx.ui.json(settings);
    return;
  }
  printTable(
    ctx.ui,
    ['KEY', 'VALUE', 'SOURCE'],
    settings.map((s) => [s.key, s.value === null ? '' : String(s.value), s.source]),
  );
}

/** One setting's value (redacted when secret), alone on stdout so scripts can use it. */
export async function runConfigGet(key: string, ctx: Context): Promise<void> {
  configKey(key);
  const setting = (await ctx.settings()).list().find((s) => s.key === key);
  if (setting?.value !== undefined) ctx.ui.out(String(shown(setting).value));
}

/** Checks and stores one setting in config.json; `""` removes it, going back to the default. */
export async function runConfigSet(key: string, text: string, ctx: Context): Promise<void> {
  const definition = configKey(key);
  const value = text === '' ? undefined : checkConfigValue(key, text);
  await ctx.prepareHome();
  await withFileLock(ctx.paths.config, { waitMs: 10_000, ...(ctx.deps.processes === undefined ? {} : { owner: ctx.deps.processes }) }, async ({ assertHeld }) => {
    const file = await readConfigFile(ctx.paths.config);
    const settings = { ...file.settings };
    if (value === undefined) delete settings[key];
    else settings[key] = value;
    assertHeld();
    await writeConfigFile(ctx.paths.config, { ...file, settings });
  });
  const printed = value === undefined ? 'removed (default applies)' : definition.secret === true ? 'set (hidden)' : `= ${hidePassword(String(value))}`;
  ctx.ui.success(`${key} ${printed}`);
  const env = definition.env === undefined ? undefined : ctx.deps.env[definition.env];
  if (env !== undefined && env !== '') ctx.ui.warn(`${definition.env} is set in the environment and wins over config.json`);
}

export function registerConfig(program: Command, app: App): void {
  const config = withExamples(
    program.command('config').description('show and change settings (config.json in the home; secrets shown redacted)'),
    ['canale config list', 'canale config get country', 'canale config set whatsapp.rate 40'],
  );
  withExamples(
    config.command('list').description('every setting, its value and where it comes from (env, config, default)').option('--json', 'print JSON'),
    ['canale config list', 'canale config list --json'],
  ).action(app.action(async (raw: { json?: boolean }, ctx: Context) => runConfigList({ json: raw.json === true }, ctx)));
  withExamples(config.command('get').argument('<key>', 'setting name').description('print one setting'), [
    'canale config get timezone',
    'canale config get email.from',
  ]).action(app.action(async (key: string, _raw: unknown, ctx: Context) => runConfigGet(key, ctx)));
  withExamples(
    config
      .command('set')
      .argument('<key>', 'setting name (see: canale config list)')
      .argument('<value>', 'new value; "" removes the setting')
      .description('check and store a setting in config.json'),
    ['canale config set city.name "Comune di Bologna"', 'canale config set country IT', 'canale config set whatsapp.transport ""'],
  ).action(app.action(async (key: string, value: string, _raw: unknown, ctx: Context) => runConfigSet(key, value, ctx)));
}
