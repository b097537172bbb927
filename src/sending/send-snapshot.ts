import { CanaleError } from '../core/errors.js';
import { compileMessage, type CompiledMessage } from '../core/message/compile.js';
import { INLINE_TEXT, type MessageSpec } from '../core/message/message-spec.js';
import { knownFields } from '../core/message/placeholders.js';
import type { SubscriberStore } from '../core/ports.js';
import type { Subscriber } from '../core/subscriber.js';
import type { Template } from '../core/template.js';
import type { Topic } from '../core/topic.js';
import { templateInfoOf } from '../commands/message-context.js';

/**
 * The store as a send sees it: the topic catalogue, the synced templates, the placeholders every subscriber can
 * fill, and the subscribers it keeps — only those it needs, so a send to one topic of a million holds that topic's.
 */
export interface SendSnapshot {
  readonly topics: readonly Topic[];
  /** The synced WhatsApp templates, when the message names one (none are needed otherwise). */
  readonly templates: readonly Template[];
  /** `name`, `phone`, `email` and every attribute key any subscriber has. */
  readonly fields: ReadonlySet<string>;
  readonly subscribers: Subscriber[];
}

/**
 * Reads the store once, streamed: every subscriber's fields are noted (a placeholder is checked against all of
 * them), and those `keep` wants are kept, in the store's order. The catalogue is read after them: a topic added
 * meanwhile is in it, so a caller that chose whom to keep by an older catalogue can tell. The synced templates are
 * read only for a message that uses one: `spec` is the message the snapshot is for.
 */
export async function readSnapshot(store: SubscriberStore, keep: (s: Subscriber) => boolean, spec: Pick<MessageSpec, 'whatsapp'>): Promise<SendSnapshot> {
  // kept by position: a store that reads a hand-edited file again from its start hands the same places again
  const kept: Subscriber[] = [];
  const fields = knownFields([]);
  await store.scan(undefined, (s, index) => {
    for (const key in s.attributes) fields.add(key);
    if (keep(s)) kept[index] = s;
  });
  const templates = spec.whatsapp === undefined ? [] : await store.templates();
  return { topics: await store.topics(), templates, fields, subscribers: kept.filter((s) => s !== undefined) };
}

/**
 * The message checked against the store's topics, fields and synced templates; any problem stops the send
 * (MESSAGE_INVALID, naming each problem).
 */
export function compileForSend(spec: MessageSpec, snapshot: Pick<SendSnapshot, 'topics' | 'templates' | 'fields'>, extraTopics: readonly string[]): CompiledMessage {
  const compiled = compileMessage(spec, { topics: snapshot.topics, knownFields: snapshot.fields, templates: snapshot.templates.map(templateInfoOf) }, extraTopics);
  if (!compiled.ok) {
    // the text of --text is all of its body: "--text: unknown placeholder …", not "--text: body: …"
    const problems = spec.source === INLINE_TEXT ? compiled.problems.map((p) => p.replace(/^body: /, '')) : compiled.problems;
    throw new CanaleError('MESSAGE_INVALID', `${spec.source}: ${problems.join('\n  ')}`);
  }
  return compiled.message;
}
