import type { TemplateInfo } from '../core/message/template-check.js';
import type { StoreData } from '../core/store-data.js';

/** The WhatsApp templates `canale templates sync` stored, as messages are checked against them. */
export function syncedTemplates(data: StoreData): TemplateInfo[] {
  const stored = (data as StoreData & { templates?: readonly TemplateInfo[] }).templates;
  return stored === undefined ? [] : [...stored];
}
