import { usageError } from './errors.js';
import { slugify } from './topic.js';

/** Field names that are not free attributes: `--attr name=…` would be confusing, so it is refused. */
const RESERVED = new Set(['id', 'name', 'nome', 'phone', 'telefono', 'email', 'topics', 'channel', 'status', 'consent']);

/** `Data di nascita` → `data_di_nascita`: attribute keys are lower-case words joined by `_`. */
export function attributeKey(text: string): string {
  return slugify(text).replace(/-/g, '_');
}

/** Parses `key=value` pairs (`--attr`, `--where`); an empty value means "remove" for `--attr`. */
export function parseKeyValues(pairs: readonly string[], flag: string): Array<{ key: string; value: string }> {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? attributeKey(pair.slice(0, eq)) : '';
    if (eq <= 0 || key === '') {
      throw usageError('KEY_VALUE_INVALID', `${flag} "${pair}" is not key=value — for example ${flag} municipio=I`);
    }
    if (RESERVED.has(key)) {
      throw usageError('ATTRIBUTE_RESERVED', `${flag} "${pair}": "${key}" is a subscriber field, not an attribute`);
    }
    return { key, value: pair.slice(eq + 1).trim() };
  });
}

/** Applies `key=value` changes to attributes: an empty value removes the key. Keys stay sorted. */
export function applyAttributes(
  current: Readonly<Record<string, string>>,
  changes: ReadonlyArray<{ key: string; value: string }>,
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const { key, value } of changes) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return Object.fromEntries(Object.entries(next).sort(([a], [b]) => a.localeCompare(b)));
}
