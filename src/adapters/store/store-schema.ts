/** db.json's format (DESIGN §5): its schema, the migrations of older versions, and the damage messages. */
import { z } from 'zod';
import { CanaleError } from '../../core/errors.js';
import { STORE_SECTIONS, STORE_VERSION, type StoreData } from '../../core/store-data.js';
import { SubscriberCheck } from './subscriber-check.js';
import { CONSENT_ACTIONS, type Subscriber } from '../../core/subscriber.js';
import { WHATSAPP_USER_ID_MAX } from '../../core/whatsapp-identity.js';
import { HEADER_FORMATS, TEMPLATE_CATEGORIES, TEMPLATE_STATUSES, type HeaderFormat } from '../../core/template.js';
import type { Topic } from '../../core/topic.js';

export { emptyStore, STORE_SECTIONS, STORE_VERSION, type StoreData } from '../../core/store-data.js';

const isoTime = z.iso.datetime({ offset: true });
const topicId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);

const topicSchema = z.strictObject({
  id: topicId,
  label: z.string().min(1),
  description: z.string().optional(),
});

const consentSchema = z.strictObject({ source: z.string().min(1), at: isoTime, note: z.string().optional(), notice: z.string().optional() });

const eventSchema = z.strictObject({
  at: isoTime,
  action: z.enum(CONSENT_ACTIONS),
  topic: topicId.optional(),
  previous: z.string().min(1).optional(),
  source: z.string(),
  note: z.string().optional(),
});

/** A subscriber as db.json holds it; exported for the tests that hold the quick check to it. */
export const subscriberSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'not an E.164 phone number').optional(),
  whatsappUserId: z.string().min(1).max(WHATSAPP_USER_ID_MAX).optional(),
  email: z.string().includes('@').optional(),
  topics: z.array(topicId),
  channel: z.enum(['whatsapp', 'email']),
  status: z.enum(['active', 'unsubscribed']),
  whatsappUnreachable: z.boolean().optional(),
  emailBounced: z.boolean().optional(),
  attributes: z.record(z.string(), z.string()),
  consent: consentSchema,
  optedOutTopics: z.array(topicId).optional(),
  history: z.array(eventSchema).optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

const templateSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  language: z.string().min(1),
  category: z.enum(TEMPLATE_CATEGORIES as [string, ...string[]]),
  status: z.enum(TEMPLATE_STATUSES as [string, ...string[]]),
  parameterFormat: z.enum(['positional', 'named']),
  parameters: z.array(z.string().min(1)),
  // headerParameters and buttons: absent in templates synced before canale kept every component (issue 16)
  headerParameters: z.array(z.string().min(1)).optional(),
  texts: z.strictObject({
    header: z.string().optional(),
    headerFormat: z.enum(HEADER_FORMATS as [HeaderFormat, ...HeaderFormat[]]).optional(),
    body: z.string(),
    footer: z.string().optional(),
    buttons: z.array(z.string()),
  }),
  buttons: z
    .array(z.strictObject({ type: z.string(), text: z.string(), url: z.string().optional(), phoneNumber: z.string().optional(), parameters: z.array(z.string().min(1)) }))
    .optional(),
  syncedAt: isoTime,
});

const headSchema = z.looseObject({ version: z.number().int().positive() });

/**
 * Each entry brings a store of version n to version n + 1, in place (for example, a new section starts empty).
 * This is the one place that knows how older db.json files looked.
 */
const MIGRATIONS: Readonly<Record<number, (data: Record<string, unknown>) => void>> = {
  // 1 → 2: synced WhatsApp templates (issue 4)
  1: (data) => {
    data.templates ??= [];
  },
};

function migrate(data: Record<string, unknown> & { version: number }, path: string): void {
  while (data.version < STORE_VERSION) {
    const step = MIGRATIONS[data.version];
    if (step === undefined) throw damaged(path, `no migration from store version ${data.version}`);
    step(data);
    data.version++;
  }
}

/** Where a damaged store is and what is wrong with it; the file is left exactly as it is. */
function damaged(path: string, what: string): CanaleError {
  return new CanaleError(
    'STORE_DAMAGED',
    `${path} is damaged: ${what} — canale will not overwrite it; fix it by hand or restore a backup`,
  );
}

function describe(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  return `${path === '' ? 'the top level' : path}: ${issue.message}`;
}

/** Version, migration and topics of parsed JSON: what is checked before anything else of the store is read. */
function validateHead(json: unknown, path: string): StoreData & Record<string, unknown> {
  const head = headSchema.safeParse(json);
  if (!head.success) throw damaged(path, describe(head.error, ''));
  const data = json as StoreData & Record<string, unknown>;
  if (data.version > STORE_VERSION) {
    throw new CanaleError(
      'STORE_TOO_NEW',
      `${path} was written by a newer canale (store version ${data.version}, this one knows ${STORE_VERSION}) — upgrade canale`,
    );
  }
  migrate(data, path);
  if (!Array.isArray(data.topics)) throw damaged(path, 'topics: expected a list');
  data.topics.forEach((topic: unknown, i: number) => {
    const checked = topicSchema.safeParse(topic);
    if (!checked.success) throw damaged(path, describe(checked.error, `topics[${i}]`));
  });
  return data;
}

/** The topic catalogue of a store read as far as its topics (`{ version, topics }`), checked like a whole store's. */
export function validateTopics(json: unknown, path: string): Topic[] {
  return validateHead(json, path).topics;
}

/**
 * Checks subscriber records one at a time, as a store is read; throws naming the record (its place and id) and
 * what is wrong. The usual record passes a quick check; others go to the schema, which words the error.
 */
export function subscriberValidator(path: string): (record: unknown, index: number) => record is Subscriber {
  const quick = new SubscriberCheck((text) => isoTime.safeParse(text).success, (text) => topicId.safeParse(text).success);
  return (record: unknown, index: number): record is Subscriber => {
    if (quick.isValid(record)) return true;
    const checked = subscriberSchema.safeParse(record);
    if (checked.success) return true;
    const id = (record as { id?: unknown } | null)?.id;
    throw damaged(path, describe(checked.error, `subscribers[${index}]${typeof id === 'string' ? ` (${id})` : ''}`));
  };
}

/**
 * Checks parsed JSON against the schema and brings older versions forward. Records are validated one at a
 * time and the parsed objects are kept as they are, so a store of a million subscribers is not copied in memory.
 */
export function validateStore(json: unknown, path: string): StoreData {
  const data = validateHead(json, path);
  const extra = Object.keys(data).filter((k) => k !== 'version' && !(STORE_SECTIONS as readonly string[]).includes(k));
  if (extra.length > 0) throw damaged(path, `unknown key "${extra[0]}"`);
  for (const name of STORE_SECTIONS) {
    if (!Array.isArray(data[name])) throw damaged(path, `${name}: expected a list`);
  }
  const subscribers = data.subscribers;
  const isSubscriber = subscriberValidator(path);
  for (let i = 0; i < subscribers.length; i++) isSubscriber(subscribers[i], i);
  data.templates.forEach((template: unknown, i: number) => {
    const checked = templateSchema.safeParse(template);
    if (!checked.success) throw damaged(path, describe(checked.error, `templates[${i}]`));
  });
  return data;
}
