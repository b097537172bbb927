import {
  CONFIG_KEYS,
  describeRefused,
  type ConfigKey,
  type ConfigSource,
  type ConfigValue,
  type ResolvedSetting,
  type SettingKey,
  type SettingValue,
} from './config-keys.js';
import { CanaleError } from './errors.js';

/** One key as it applies: as given (for `config list` and `doctor`), and as its check reads it. */
interface Applied {
  readonly given: ResolvedSetting;
  readonly value: ConfigValue | undefined;
  /** Why the text given is not a value of the key's kind (only the environment's can be: config.json is checked when read). */
  readonly problem?: string;
}

/**
 * The settings one command works with, resolved from the one table (core/config-keys.ts): a command's flag, then
 * the environment, then config.json, then the table's fallback (DESIGN §3). `get` returns the key's value typed by
 * its check — a number for a rate, one of its words for a transport — so no call site converts or repeats a
 * fallback. A text from the environment that is not a value of its kind is said when that key is read, not
 * before: a command that does not need it is not stopped by it, and `doctor` lists it.
 */
export class Settings {
  /** Built by `resolveSettings` (or `withOverride`), never by hand. */
  constructor(private readonly applied: ReadonlyMap<SettingKey, Applied>) {}

  /** The key's value; throws `CONFIG_VALUE_INVALID`, naming the variable, when the environment's text is not one. */
  get<K extends SettingKey>(key: K): SettingValue<K> {
    const applied = this.entry(key);
    if (applied.problem !== undefined) throw new CanaleError('CONFIG_VALUE_INVALID', applied.problem);
    return applied.value as SettingValue<K>;
  }

  /** Whether a value applies to the key, from any source, the table's fallback included. */
  has(key: SettingKey): boolean {
    return this.entry(key).given.source !== 'unset';
  }

  /** Where the key's value comes from. */
  source(key: SettingKey): ConfigSource | 'unset' {
    return this.entry(key).given.source;
  }

  /** These settings with a command's flag over one key (`send --rate`): the flag wins over everything else. */
  withOverride<K extends SettingKey>(key: K, value: NonNullable<SettingValue<K>>): Settings {
    const given: ResolvedSetting = { key, value, source: 'flag', secret: this.entry(key).given.secret };
    return new Settings(new Map([...this.applied, [key, { given, value }]]));
  }

  /** Every key in the table's order, with its value as given and its source: what `config list` shows. */
  list(): readonly ResolvedSetting[] {
    return [...this.applied.values()].map((a) => a.given);
  }

  private entry(key: SettingKey): Applied {
    const applied = this.applied.get(key);
    if (applied === undefined) throw new Error(`setting ${key} is not in CONFIG_KEYS`);
    return applied;
  }
}

/**
 * Settings as they apply: environment, then config.json, then the default (DESIGN §3); an empty text (in the
 * environment or config.json) counts as not set.
 */
export function resolveSettings(file: Readonly<Record<string, ConfigValue>>, env: Readonly<Record<string, string | undefined>>): Settings {
  return new Settings(new Map(CONFIG_KEYS.map((k): [SettingKey, Applied] => [k.key, applyKey(k, file, env)])));
}

function applyKey(k: ConfigKey & { readonly key: SettingKey }, file: Readonly<Record<string, ConfigValue>>, env: Readonly<Record<string, string | undefined>>): Applied {
  const secret = k.secret === true;
  const fromEnv = k.env === undefined ? undefined : env[k.env];
  if (fromEnv !== undefined && fromEnv !== '') return checked(k, fromEnv, { key: k.key, value: fromEnv, source: 'env', secret });
  const fromFile = file[k.key];
  if (fromFile !== undefined && fromFile !== '') return checked(k, String(fromFile), { key: k.key, value: fromFile, source: 'config', secret });
  if (k.fallback !== undefined) return { given: { key: k.key, value: k.fallback, source: 'default', secret }, value: k.fallback };
  return { given: { key: k.key, value: undefined, source: 'unset', secret }, value: undefined };
}

function checked(k: ConfigKey, text: string, given: ResolvedSetting): Applied {
  const value = k.check(text.trim());
  if (typeof value !== 'object') return { given, value };
  const where =
    given.source === 'env'
      ? `it comes from ${k.env ?? ''} in the environment, which wins over config.json: fix or unset it there`
      : `fix with: canale config set ${k.key} VALUE`;
  return { given, value: undefined, problem: `${describeRefused(k, text, value)}; ${where}` };
}
