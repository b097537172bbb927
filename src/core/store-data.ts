import type { Subscriber } from './subscriber.js';
import type { Template } from './template.js';
import { DEFAULT_TOPICS, type Topic } from './topic.js';

/** The version of db.json this code writes. Older files are migrated forward on load, newer ones refused. */
export const STORE_VERSION = 2;

/** Everything db.json holds. The shape of a whole store held in memory (the memory store, a fold); its
 *  format on disk, schema and migrations are the JSON store's (adapters/store/store-schema.ts). */
export interface StoreData {
  version: number;
  topics: Topic[];
  subscribers: Subscriber[];
  /** WhatsApp templates as last synced from the Cloud API (`canale templates sync`). */
  templates: Template[];
}

/** The record lists of db.json, in the order they are written. A new section is added here, in StoreData, in
 *  `validateStore`, and in a migration that gives older files an empty list. */
export const STORE_SECTIONS = ['topics', 'subscribers', 'templates'] as const satisfies ReadonlyArray<keyof StoreData>;

export function emptyStore(): StoreData {
  return { version: STORE_VERSION, topics: [...DEFAULT_TOPICS], subscribers: [], templates: [] };
}
