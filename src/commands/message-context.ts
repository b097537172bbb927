import type { TemplateInfo } from '../core/message/template-check.js';
import { knownFields } from '../core/message/placeholders.js';
import type { SubscriberStore } from '../core/ports.js';
import type { StoreData } from '../core/store-data.js';
import { templateInfoOf } from '../core/message/template-info.js';

/** The WhatsApp templates `canale templates sync` stored, as messages are checked against them. */
export function syncedTemplates(data: Pick<StoreData, 'templates'>): TemplateInfo[] {
  return data.templates.map(templateInfoOf);
}

/** The names a message may use (knownFields), from one pass over the store that keeps no subscriber. */
export async function storeKnownFields(store: Pick<SubscriberStore, 'scan'>): Promise<Set<string>> {
  const known = knownFields([]);
  await store.scan(undefined, (s) => {
    for (const key of Object.keys(s.attributes)) known.add(key);
  });
  return known;
}
