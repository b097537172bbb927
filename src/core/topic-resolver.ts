import { findTopic, slugify, type Topic, type TopicId } from './topic.js';

export type ResolvedTopic = { readonly ok: true; readonly id: TopicId } | { readonly ok: false; readonly reason: string };

/**
 * Resolves the topic names an import meets, by id or label (as `findTopic`), each distinct spelling once. With
 * `create`, an unknown name becomes a new topic (id from its slug, label as written), collected in `created`.
 */
export class TopicResolver {
  private readonly cache = new Map<string, ResolvedTopic>();
  private readonly topics: Topic[];
  readonly created: Topic[] = [];

  constructor(
    known: readonly Topic[],
    private readonly create: boolean,
  ) {
    this.topics = [...known];
  }

  resolve(name: string): ResolvedTopic {
    let resolved = this.cache.get(name);
    if (resolved === undefined) {
      resolved = this.lookUp(name);
      this.cache.set(name, resolved);
    }
    return resolved;
  }

  private lookUp(name: string): ResolvedTopic {
    const found = findTopic(this.topics, name);
    if (found !== undefined) return { ok: true, id: found.id };
    if (!this.create) {
      return { ok: false, reason: `unknown topic (known: ${this.topics.map((t) => t.id).join(', ')}; or add --create-topics)` };
    }
    const id = slugify(name);
    if (id === '' || id.length > 40) return { ok: false, reason: 'cannot be a topic: use 1 to 40 letters, digits and spaces' };
    const topic: Topic = { id: id as TopicId, label: name.trim().replace(/\s+/g, ' ') };
    this.topics.push(topic);
    this.created.push(topic);
    return { ok: true, id: topic.id };
  }
}
