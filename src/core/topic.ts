import { closestName } from './closest-name.js';
import { CanaleError, usageError } from './errors.js';

export type TopicId = string & { readonly __brand: 'TopicId' };

export interface Topic {
  readonly id: TopicId;
  readonly label: string;
  readonly description?: string;
}

/** The catalogue a new home starts with (DESIGN §5). */
export const DEFAULT_TOPICS: readonly Topic[] = [
  { id: 'scuola' as TopicId, label: 'Scuola', description: 'Scuole, mense, iscrizioni e calendario scolastico' },
  { id: 'cantieri' as TopicId, label: 'Cantieri', description: 'Lavori stradali, chiusure e deviazioni' },
  {
    id: 'raccolta-differenziata' as TopicId,
    label: 'Raccolta differenziata',
    description: 'Calendario della raccolta, centri di raccolta, ingombranti',
  },
  { id: 'mobilita' as TopicId, label: 'Mobilità', description: 'Trasporto pubblico, ZTL, parcheggi, scioperi' },
  { id: 'eventi' as TopicId, label: 'Eventi', description: 'Cultura, sport e manifestazioni in città' },
  { id: 'sociale' as TopicId, label: 'Sociale', description: 'Servizi sociali, bandi e contributi' },
  { id: 'emergenze' as TopicId, label: 'Emergenze', description: 'Allerte meteo, protezione civile, avvisi urgenti' },
];

const TOPIC_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** `Raccolta Differenziata!` → `raccolta-differenziata`: lower case, accents dropped, words joined by `-`. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Checks a topic id typed by a person; ids are slugs so they survive URLs, CSV cells and WhatsApp replies. */
export function parseTopicId(text: string): TopicId {
  const id = text.trim();
  if (!TOPIC_ID.test(id) || id.length > 40) {
    const hint = slugify(id);
    throw usageError(
      'TOPIC_ID_INVALID',
      `"${text}" is not a valid topic id: use lower-case letters, digits and dashes, at most 40 characters` +
        (hint && hint !== id ? ` (for example "${hint}")` : ''),
    );
  }
  return id as TopicId;
}

/**
 * Finds a topic by id or by label, ignoring case, accents and punctuation: `Raccolta differenziata`,
 * `raccolta-differenziata` and `RACCOLTA DIFFERENZIATA` are the same topic.
 */
/** Each id's label in the catalogue, or the id itself when the catalogue no longer has it (for what citizens and staff read). */
export function labelsOf(topics: readonly Topic[], ids: readonly string[]): string[] {
  return ids.map((id) => topics.find((t) => t.id === id)?.label ?? id);
}

export function findTopic(topics: readonly Topic[], text: string): Topic | undefined {
  const wanted = slugify(text);
  return topics.find((t) => t.id === wanted) ?? topics.find((t) => slugify(t.label) === wanted);
}

/** Resolves every name to a known topic, or fails naming the unknown ones and the command that lists topics. */
export function resolveTopics(topics: readonly Topic[], names: readonly string[]): TopicId[] {
  const found: TopicId[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const topic = findTopic(topics, name);
    if (topic === undefined) unknown.push(name);
    else if (!found.includes(topic.id)) found.push(topic.id);
  }
  if (unknown.length > 0) {
    throw new CanaleError('TOPIC_UNKNOWN', `${describeUnknownTopics(topics, unknown)} (add one with: canale topics add ID --label L)`);
  }
  return found;
}

/**
 * What to say about names the catalogue does not know: each one as typed, what it was probably meant to be, the
 * known topics and the command that lists them. `unknown topic "cantiere" (did you mean "cantieri"?) — known …`.
 */
export function describeUnknownTopics(topics: readonly Topic[], unknown: readonly string[]): string {
  const ids = topics.map((t) => t.id);
  const named = unknown.map((name) => {
    const guess = closestName(slugify(name), ids);
    return `"${name}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`;
  });
  return `unknown topic ${named.join(', ')} — known topics: ${ids.join(', ') || '(none yet)'}; see them with: canale topics list`;
}

/** Splits `a,b | c` into names; `,`, `;` and `|` all separate. */
export function splitTopicList(text: string): string[] {
  return text
    .split(/[,;|]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
