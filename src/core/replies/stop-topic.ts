import { findTopic, type Topic } from '../topic.js';

/** Words before a topic's name that do not change it: "basta messaggi sui cantieri", "stop notifications about …". */
const LEADING = new Set([
  'messaggi', 'messaggio', 'notifiche', 'avvisi', 'su', 'sul', 'sui', 'sugli', 'sulla', 'sulle', 'di', 'del', 'dei', 'della',
  'delle', 'per', 'il', 'la', 'i', 'le', 'gli', 'lo', 'messages', 'notifications', 'about', 'on', 'for', 'the', 'from',
]);
/** Words after it: "stop cantieri grazie", "stop cantieri per favore". */
const TRAILING = new Set(['grazie', 'mille', 'per', 'favore', 'perfavore', 'please', 'pls', 'thanks', 'thank', 'you']);

/**
 * The topic named by the words after a stop word (normalised, as `parseReply` gives them), or undefined when they
 * name none — then the message is a full stop: "Stop, grazie", "stop promotions" (Meta's own opt-out button),
 * "basta così". The words are tried as they are, then without the polite or connecting words around a name.
 */
export function findStopTopic(topics: readonly Topic[], rest: string): Topic | undefined {
  const exact = findTopic(topics, rest);
  if (exact !== undefined) return exact;
  const words = rest.split(' ').filter((w) => w !== '');
  let start = 0;
  let end = words.length;
  while (start < end && LEADING.has(words[start] as string)) start++;
  while (end > start && TRAILING.has(words[end - 1] as string)) end--;
  if (start === end || (start === 0 && end === words.length)) return undefined;
  return findTopic(topics, words.slice(start, end).join(' '));
}
