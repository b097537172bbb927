import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { checkConfigValue, CONFIG_KEYS, type ConfigValue } from '../core/config-keys.js';
import { CanaleError } from '../core/errors.js';
import { writeFileAtomic } from './fs/atomic-file.js';

/** config.json: `{ "version": 1, "settings": { "country": "IT", … } }`. */
export interface ConfigFile {
  readonly version: 1;
  readonly settings: Readonly<Record<string, ConfigValue>>;
}

const fileSchema = z.strictObject({
  version: z.literal(1),
  settings: z.record(z.string(), z.union([z.string(), z.number()])),
});

export function emptyConfigFile(): ConfigFile {
  return { version: 1, settings: {} };
}

export function serializeConfigFile(file: ConfigFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Reads and checks config.json; a missing file is an empty configuration, a wrong one names the file and key. */
export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfigFile();
    throw error;
  }
  const broken = (what: string): CanaleError =>
    new CanaleError('CONFIG_DAMAGED', `${path} is not valid: ${what} — fix it by hand, or remove the line and use: canale config set KEY VALUE`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw broken((error as Error).message);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw broken(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  for (const [key, value] of Object.entries(parsed.data.settings)) {
    if (!CONFIG_KEYS.some((k) => k.key === key)) throw broken(`unknown setting "${key}"`);
    try {
      checkConfigValue(key, String(value));
    } catch (error) {
      throw broken((error as Error).message);
    }
  }
  return parsed.data as ConfigFile;
}

export async function writeConfigFile(path: string, file: ConfigFile): Promise<void> {
  await writeFileAtomic(path, serializeConfigFile(file));
}
