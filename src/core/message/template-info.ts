import type { Template } from '../template.js';
import type { TemplateInfo } from './template-check.js';

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
