import type { TemplateInfo } from '../core/message/template-check.js';
import type { StoreData } from '../core/store-data.js';
import type { Template } from '../core/template.js';

/** What the message checks need of one synced template: its identity, status, category, format and body text. */
export function templateInfoOf(template: Template): TemplateInfo {
  return {
    name: template.name,
    language: template.language,
    status: template.status,
    category: template.category,
    parameterFormat: template.parameterFormat,
    body: template.texts.body,
  };
}

/** The WhatsApp templates `canale templates sync` stored, as messages are checked against them. */
export function syncedTemplates(data: StoreData): TemplateInfo[] {
  return data.templates.map(templateInfoOf);
}
