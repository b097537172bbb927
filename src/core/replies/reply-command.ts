/**
 * What a citizen asked for in a WhatsApp reply (DESIGN §2, `webhook serve`): the keyword table, in Italian and
 * English, read without regard to case, accents or punctuation around the words.
 *
 * `leave` is a stop word followed by more words, which may or may not name a topic: only the topic catalogue can
 * tell, so `resolveStop` (with the catalogue) decides between leaving that topic and a full stop.
 */
export type ReplyCommand =
  | { readonly kind: 'stop' }
  | { readonly kind: 'leave'; readonly topic: string }
  | { readonly kind: 'join'; readonly topic?: string }
  /** The list of topics; `page` (from 1) when the citizen tapped "Altri argomenti". */
  | { readonly kind: 'topics'; readonly page?: number }
  /** A tap on a topic's row of the list: joins it, or leaves it when they follow it. */
  | { readonly kind: 'toggle'; readonly topic: string }
  | { readonly kind: 'help' }
  /** `CONFERMA 4821`: the code the sign-up page gave, confirming a web sign-up from the number it named. */
  | { readonly kind: 'confirm'; readonly code: string }
  | { readonly kind: 'unknown' };

const STOP = new Set([
  'stop', 'annulla', 'cancella', 'cancellami', 'disiscrivimi', 'disiscrivi', 'basta', 'rimuovimi', 'disdici',
  'unsubscribe', 'unsub', 'cancel', 'optout', 'opt-out',
]);
const JOIN = new Set(['iscrivi', 'iscrivimi', 'subscribe', 'join', 'start']);
const TOPICS = new Set(['argomenti', 'temi', 'topics', 'argomento', 'tema']);
const HELP = new Set(['aiuto', 'help', 'info', '?']);
const CONFIRM = new Set(['conferma', 'confermo', 'confirm']);

/**
 * Sentences that mean stop without starting with a stop word, as normalised word prefixes. What follows them is
 * read like the rest after a stop word ("non voglio più messaggi sui cantieri" leaves cantieri only).
 */
const STOP_PHRASES: readonly (readonly string[])[] = [
  ['non', 'voglio', 'piu'],
  ['non', 'voglio', 'ricevere'],
  ['non', 'voglio', 'altri'],
  ['non', 'mandatemi'],
  ['non', 'inviatemi'],
  ['non', 'scrivetemi'],
  ['non', 'mi', 'scrivete'],
  ['non', 'mi', 'mandate'],
  ['opt', 'out'],
  ['no', 'more'],
  ['remove', 'me'],
];

/** `  Stop, Cantieri! ` → `stop cantieri`: lower case, accents dropped, punctuation at word edges removed. */
export function normalizeReply(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}?\s-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function stopPhraseLength(words: readonly string[]): number {
  const phrase = STOP_PHRASES.find((p) => p.every((w, k) => words[k] === w));
  return phrase?.length ?? 0;
}

/** Reads one reply (a text, or a button's payload or title) as a command; anything else is `unknown`. */
export function parseReply(text: string): ReplyCommand {
  const words = normalizeReply(text).split(' ').filter((w) => w !== '');
  const [first = '', ...rest] = words;
  const phrase = stopPhraseLength(words);
  if (STOP.has(first) || phrase > 0) {
    const topic = words.slice(Math.max(phrase, 1)).join(' ');
    return topic === '' ? { kind: 'stop' } : { kind: 'leave', topic };
  }
  const topic = rest.join(' ');
  if (JOIN.has(first)) return topic === '' ? { kind: 'join' } : { kind: 'join', topic };
  if (TOPICS.has(first) && rest.length === 0) return { kind: 'topics' };
  if (HELP.has(first) && rest.length === 0) return { kind: 'help' };
  if (CONFIRM.has(first) && rest.length === 1 && /^\d{4,8}$/.test(rest[0] ?? '')) return { kind: 'confirm', code: rest[0] as string };
  return { kind: 'unknown' };
}

/**
 * The ids canale gives the rows and buttons of its interactive answers (core/replies/topic-menu.ts), read back from
 * a `list_reply` or `button_reply`: `topic:<id>` toggles that topic, `page:<n>` shows that page of the list; `stop`
 * needs no reading of its own (it is the stop word).
 */
export function parseMachineId(text: string): ReplyCommand | undefined {
  const topic = /^topic:([a-z0-9-]{1,40})$/.exec(text);
  if (topic?.[1] !== undefined) return { kind: 'toggle', topic: topic[1] };
  const page = /^page:([1-9]\d{0,2})$/.exec(text);
  return page?.[1] === undefined ? undefined : { kind: 'topics', page: Number(page[1]) };
}

/**
 * The first command among a message's readings (a button's payload, its title, the text) that is not `unknown`:
 * a payload canale set is trusted before the label the citizen saw.
 */
export function commandOf(readings: readonly string[]): ReplyCommand {
  for (const text of readings) {
    const command = parseMachineId(text) ?? parseReply(text);
    if (command.kind !== 'unknown') return command;
  }
  return { kind: 'unknown' };
}
