import { usageError } from './errors.js';

/** The things a person names by id on the command line, each with its prefix and where to find the ids. */
const KINDS = {
  campaign: { prefix: 'cmp_', noun: 'campaign', list: 'canale campaigns list' },
  schedule: { prefix: 'sch_', noun: 'schedule', list: 'canale schedule list' },
  subscriber: { prefix: 'sub_', noun: 'subscriber', list: 'canale subscribers list' },
} as const;

export type IdKind = keyof typeof KINDS;

// canale's own ids are the prefix and 10 letters of Crockford's base 32 (src/deps.ts); tests, fixtures and older
// homes also use readable ones (`cmp_local`, `sub_0001`). Either way: lower-case letters, digits, `_` and `-`, never a
// dot, a slash, a backslash or a NUL, so an id can be a folder name and never a way out of the home
const SHAPES: Record<IdKind, RegExp> = {
  campaign: /^cmp_[0-9a-z_-]{1,64}$/,
  schedule: /^sch_[0-9a-z_-]{1,64}$/,
  subscriber: /^sub_[0-9a-z_-]{1,64}$/,
};

/** Whether `text` has the shape of an id of that kind, exactly as stored (lower case, nothing around it). */
export function isIdOf(kind: IdKind, text: string): boolean {
  return SHAPES[kind].test(text);
}

/** A campaign id that may become a folder name under `<home>/campaigns/`. */
export function isCampaignId(text: string): boolean {
  return isIdOf('campaign', text);
}

/** What a person typed, cut to a readable length and with control characters made visible. */
export function shownValue(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/**
 * Checks an id typed on the command line before anything is built from it: the id as stored (trimmed, lower-cased,
 * since Crockford's letters are read aloud and typed in either case), or a usage error (exit 2) that names the
 * argument or flag (`where`) and the shape expected.
 */
export function checkId(kind: IdKind, text: string, where: string): string {
  const id = text.trim().toLowerCase();
  if (isIdOf(kind, id)) return id;
  const { prefix, noun, list } = KINDS[kind];
  throw usageError(
    'ID_INVALID',
    `${where}: ${shownValue(text)} is not a ${noun} id — expected ${prefix} followed by letters and digits, like ${prefix}7k3m9q2xaa (see them with: ${list})`,
  );
}
