import { CanaleError } from '../errors.js';
import type { E164 } from '../phone.js';
import { describeUnknownTopics, findTopic, type Topic } from '../topic.js';
import { clickToChatUrl } from './click-to-chat.js';

/** What a poster or a web page points a citizen to: the click-to-chat link and the message it fills in. */
export interface SignupLink {
  readonly url: string;
  /** The message ready to send: `ISCRIVI cantieri`, or `ISCRIVI` alone (the reply then lists the topics). */
  readonly text: string;
  /** The topic the message joins, when the link is for one. */
  readonly topic?: Topic;
  /** The city's number, E.164. */
  readonly number: E164;
}

/**
 * The link that opens a chat with the city with the sign-up message ready: `ISCRIVI <topic id>` — the id, which
 * the reply handler reads whatever the label becomes — or `ISCRIVI` alone, to which the city answers with the topics.
 */
export function signupLink(number: E164, topic?: Topic): SignupLink {
  const text = topic === undefined ? 'ISCRIVI' : `ISCRIVI ${topic.id}`;
  return { url: clickToChatUrl(number, text), text, ...(topic === undefined ? {} : { topic }), number };
}

/** The catalogue's topic a `--topic` names (by id or label, as everywhere); an unknown one is refused with its closest. */
export function signupTopic(catalogue: readonly Topic[], name: string): Topic {
  const topic = findTopic(catalogue, name);
  if (topic === undefined) throw new CanaleError('TOPIC_UNKNOWN', `--topic: ${describeUnknownTopics(catalogue, [name])}`);
  return topic;
}
