import { CanaleError } from '../core/errors.js';
import { compileMessage, type CompiledMessage } from '../core/message/compile.js';
import { INLINE_TEXT, type MessageSpec } from '../core/message/message-spec.js';
import { knownFields } from '../core/message/placeholders.js';
import { SharedValues } from '../core/shared-values.js';
import type { SubscriberStore } from '../core/ports.js';
import type { Subscriber } from '../core/subscriber.js';
import type { SubscriberFilter } from '../core/subscriber-filter.js';
import type { Template } from '../core/template.js';
import type { Topic } from '../core/topic.js';
import { templateInfoOf } from '../core/message/template-info.js';

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

/** Whom a snapshot keeps: those `filter` matches (the store rules out what it can) and, of them, those `keep` wants. */
export interface SnapshotChoice {
  readonly filter?: SubscriberFilter;
  readonly keep?: (s: Subscriber) => boolean;
}

/**
 * Reads the store once, streamed (a survey): the attribute names of everyone are noted (a placeholder is checked
 * against all of them), and those chosen are kept, in the store's order. The catalogue is read after them: a topic
 * added meanwhile is in it, so a caller that chose whom to keep by an older catalogue can tell. The synced templates
 * are read only for a message that uses one: `spec` is the message the snapshot is for.
 */
export async function readSnapshot(store: SubscriberStore, choice: SnapshotChoice, spec: Pick<MessageSpec, 'whatsapp'>): Promise<SendSnapshot> {
  const { filter, keep = () => true } = choice;
  // a store that reads a hand-edited file again from its start hands the same places again: those are skipped
  const kept: Subscriber[] = [];
  let next = 0;
  // the records kept share what they have in common (a topic's 300,000 people: two fifths of their memory)
  const shared = new SharedValues();
  const { attributes } = await store.survey(filter, (s, index) => {
    if (index < next) return;
    next = index + 1;
    if (!keep(s)) return;
    shared.shareSubscriber(s as unknown as Record<string, unknown>);
    kept.push(s);
  });
  const fields = knownFields([]);
  for (const name of attributes) fields.add(name);
  const templates = spec.whatsapp === undefined ? [] : await store.templates();
  return { topics: await store.topics(), templates, fields, subscribers: kept };
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
