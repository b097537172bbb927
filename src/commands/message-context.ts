import type { TemplateInfo } from '../core/message/template-check.js';
import { knownFields } from '../core/message/placeholders.js';
import type { SubscriberStore } from '../core/ports.js';
import type { StoreData } from '../core/store-data.js';
import type { Template } from '../core/template.js';

/**
 * What the message checks need of one synced template: its identity, status, category, format and every component
 * — header (format and text), body, footer, buttons. A template synced before canale kept the buttons' types has
 * only their labels: it is marked so the check asks for a new sync rather than guess what they take.
 */
export function templateInfoOf(template: Template): TemplateInfo {
  const { header, headerFormat, body, footer } = template.texts;
  const buttons = template.buttons ?? [];
  return {
    name: template.name,
    language: template.language,
    status: template.status,
    category: template.category,
    parameterFormat: template.parameterFormat,
    body,
    ...(headerFormat === undefined ? {} : { header: { format: headerFormat, ...(header === undefined ? {} : { text: header }) } }),
    ...(footer === undefined ? {} : { footer }),
    ...(buttons.length === 0 ? {} : { buttons }),
    ...(template.buttons === undefined && template.texts.buttons.length > 0 ? { buttonsUnknown: true } : {}),
  };
}

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
