import { WHATSAPP_USER_ID_MAX } from '../../core/whatsapp-identity.js';
import { isChannel } from '../../core/subscriber.js';

/** Past this many remembered values of a kind a check no longer remembers new ones; it still answers. */
const MAX_REMEMBERED = 1 << 16;
const PHONE = /^\+[1-9]\d{6,14}$/;
const REQUIRED_FIELDS = 8;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** Values of one kind already found valid. */
class Remembered {
  private readonly values = new Set<unknown>();
  /** The value last found or added: records next to each other mostly share one (an import's consent, its date). */
  private last: unknown;

  has(value: unknown): boolean {
    if (value === this.last && value !== undefined) return true;
    if (!this.values.has(value)) return false;
    this.last = value;
    return true;
  }

  add(value: unknown): true {
    if (this.values.size < MAX_REMEMBERED) this.values.add(value);
    this.last = value;
    return true;
  }
}

/**
 * A quick check of a subscriber as read from db.json, for the usual record: true only when every field is what the
 * store's schema accepts, so the schema would accept the record too. False says nothing: the record then goes to the
 * schema, which decides and words the error. Values many subscribers share (their consent, topic list, attributes,
 * dates — one object each when read from db.json) are checked once, so a million records take about a tenth of
 * a second instead of about 1.5 s. Records with a consent history always go to the schema.
 */
export class SubscriberCheck {
  private readonly times = new Remembered();
  private readonly topicIds = new Remembered();
  private readonly topicLists = new Remembered();
  private readonly attributes = new Remembered();
  private readonly consents = new Remembered();

  constructor(
    private readonly isTime: (text: string) => boolean,
    private readonly isTopicId: (text: string) => boolean,
  ) {}

  isValid(value: unknown): boolean {
    if (!isObject(value)) return false;
    let required = 0;
    for (const key in value) {
      const field = value[key];
      switch (key) {
        case 'id':
          if (typeof field !== 'string' || field === '') return false;
          required++;
          break;
        case 'name':
          if (typeof field !== 'string') return false;
          break;
        case 'phone':
          if (typeof field !== 'string' || !PHONE.test(field)) return false;
          break;
        case 'whatsappUserId':
          if (typeof field !== 'string' || field === '' || field.length > WHATSAPP_USER_ID_MAX) return false;
          break;
        case 'email':
          if (typeof field !== 'string' || !field.includes('@')) return false;
          break;
        case 'topics':
          if (!this.isTopicList(field)) return false;
          required++;
          break;
        case 'optedOutTopics':
          if (!this.isTopicList(field)) return false;
          break;
        case 'channel':
          if (typeof field !== 'string' || !isChannel(field)) return false;
          required++;
          break;
        case 'status':
          if (field !== 'active' && field !== 'unsubscribed') return false;
          required++;
          break;
        case 'whatsappUnreachable':
        case 'emailBounced':
          if (typeof field !== 'boolean') return false;
          break;
        case 'attributes':
          if (!this.isAttributes(field)) return false;
          required++;
          break;
        case 'consent':
          if (!this.isConsent(field)) return false;
          required++;
          break;
        case 'createdAt':
        case 'updatedAt':
          if (!this.isTimeText(field)) return false;
          required++;
          break;
        default:
          return false;
      }
    }
    return required === REQUIRED_FIELDS;
  }

  private isTimeText(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    return this.times.has(value) || (this.isTime(value) && this.times.add(value));
  }

  private isTopicList(value: unknown): boolean {
    if (this.topicLists.has(value)) return true;
    if (!Array.isArray(value)) return false;
    for (const item of value as unknown[]) {
      if (typeof item !== 'string') return false;
      if (!this.topicIds.has(item) && !(this.isTopicId(item) && this.topicIds.add(item))) return false;
    }
    return this.topicLists.add(value);
  }

  private isAttributes(value: unknown): boolean {
    if (this.attributes.has(value)) return true;
    if (!isObject(value)) return false;
    for (const key in value) {
      if (key === '__proto__' || typeof value[key] !== 'string') return false;
    }
    return this.attributes.add(value);
  }

  private isConsent(value: unknown): boolean {
    if (this.consents.has(value)) return true;
    if (!isObject(value)) return false;
    let required = 0;
    for (const key in value) {
      const field = value[key];
      if (key === 'source' && typeof field === 'string' && field !== '') required++;
      else if (key === 'at' && this.isTimeText(field)) required++;
      else if (key !== 'note' || typeof field !== 'string') return false;
    }
    return required === 2 && this.consents.add(value);
  }
}
