/**
 * What a citizen asked for in a WhatsApp reply (DESIGN §2, `webhook serve`): the keyword table, in Italian and
 * English, read without regard to case, accents or punctuation around the words.
 */
export type ReplyCommand =
  | { readonly kind: 'stop' }
  | { readonly kind: 'leave'; readonly topic: string }
  | { readonly kind: 'join'; readonly topic?: string }
  | { readonly kind: 'topics' }
  | { readonly kind: 'help' }
  | { readonly kind: 'unknown' };

const STOP = new Set(['stop', 'annulla', 'cancella', 'disiscrivimi', 'disiscrivi', 'basta', 'unsubscribe', 'unsub', 'cancel']);
const JOIN = new Set(['iscrivi', 'iscrivimi', 'subscribe', 'join', 'start']);
const TOPICS = new Set(['argomenti', 'temi', 'topics', 'argomento', 'tema']);
const HELP = new Set(['aiuto', 'help', 'info', '?']);

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

/** Reads one reply (a text, or a button's payload or title) as a command; anything else is `unknown`. */
export function parseReply(text: string): ReplyCommand {
  const words = normalizeReply(text).split(' ').filter((w) => w !== '');
  const [first = '', ...rest] = words;
  const topic = rest.join(' ');
  if (STOP.has(first)) return topic === '' ? { kind: 'stop' } : { kind: 'leave', topic };
  if (JOIN.has(first)) return topic === '' ? { kind: 'join' } : { kind: 'join', topic };
  if (TOPICS.has(first) && rest.length === 0) return { kind: 'topics' };
  if (HELP.has(first) && rest.length === 0) return { kind: 'help' };
  return { kind: 'unknown' };
}
