import { attributeKey } from '../attributes.js';
import type { Subscriber } from '../subscriber.js';

/** `{{nome}}` or `{{nome | "cittadina, cittadino"}}` as written in a message. */
export interface Placeholder {
  readonly raw: string;
  /** The canonical field: `name`, `phone`, `email`, or an attribute key. */
  readonly field: string;
  readonly fallback?: string;
}

const PLACEHOLDER = /\{\{\s*([\p{L}\p{N}_.-]+)\s*(?:\|\s*"((?:[^"\\]|\\.)*)"\s*)?\}\}/gu;
/** A `{{` that does not start a well-formed placeholder: almost always a typo the staff should see. */
const LOOSE_BRACES = /\{\{|\}\}/g;

/** Italian and English names of the subscriber's own fields; anything else is an attribute. */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  nome: 'name',
  name: 'name',
  nominativo: 'name',
  telefono: 'phone',
  cellulare: 'phone',
  phone: 'phone',
  email: 'email',
  'e-mail': 'email',
  mail: 'email',
};

export function canonicalField(name: string): string {
  return FIELD_ALIASES[name.toLowerCase()] ?? attributeKey(name);
}

/** Every placeholder in a text, in order; `malformed` counts braces that belong to none. */
export function findPlaceholders(text: string): { placeholders: Placeholder[]; malformed: number } {
  const placeholders: Placeholder[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const fallback = match[2]?.replace(/\\(.)/g, '$1');
    placeholders.push({ raw: match[0], field: canonicalField(match[1] ?? ''), ...(fallback === undefined ? {} : { fallback }) });
  }
  const malformed = (text.replace(PLACEHOLDER, '').match(LOOSE_BRACES) ?? []).length;
  return { placeholders, malformed };
}

/** The text with each placeholder replaced by what `replace` gives for it as written (`{{nome | "x"}}`), in one pass. */
export function replacePlaceholders(text: string, replace: (raw: string) => string): string {
  return text.replace(PLACEHOLDER, (raw) => replace(raw));
}

/** The names a message may use: the subscriber's fields and every attribute some subscriber has. */
export function knownFields(subscribers: readonly Subscriber[]): Set<string> {
  const known = new Set(['name', 'phone', 'email']);
  for (const s of subscribers) for (const key of Object.keys(s.attributes)) known.add(key);
  return known;
}

/** The value of a field for one subscriber, trimmed; undefined when the subscriber has none. */
export function subscriberValue(subscriber: Subscriber, field: string): string | undefined {
  const value = field === 'name' ? subscriber.name : field === 'phone' ? subscriber.phone : field === 'email' ? subscriber.email : subscriber.attributes[field];
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

export interface Filled {
  readonly text: string;
  /** Fields with no value and no default: the text must not be sent. */
  readonly missing: readonly string[];
}

/**
 * Replaces every placeholder with the subscriber's value, else its default. `escape` is applied to the values
 * (HTML-escaping for e-mail bodies), never to the surrounding text, which the city wrote.
 */
export function fillPlaceholders(text: string, value: (field: string) => string | undefined, escape: (s: string) => string = (s) => s): Filled {
  const missing: string[] = [];
  const filled = text.replace(PLACEHOLDER, (_raw, name: string, fallback: string | undefined) => {
    const field = canonicalField(name);
    const found = value(field) ?? fallback?.replace(/\\(.)/g, '$1');
    if (found === undefined) {
      if (!missing.includes(field)) missing.push(field);
      return '';
    }
    return escape(found);
  });
  return { text: filled, missing };
}
