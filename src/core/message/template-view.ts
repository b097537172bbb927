import type { WhatsAppContent } from '../transport.js';
import { fillTemplateBody, type TemplateInfo } from './template-check.js';
import { fillHeaderText } from './template-params.js';
import { headerSlotsOf } from './template-parts.js';

type TemplateContent = Extract<WhatsAppContent, { kind: 'template' }>;

/** A template button as the phone shows it: its label, and where a tap goes (the link with its suffix, the number) or what it sends back. */
export interface ButtonView {
  readonly type: string;
  readonly text: string;
  readonly url?: string;
  readonly phoneNumber?: string;
  readonly payload?: string;
}

/** A template message as the citizen's phone shows it, every value in its place. */
export interface TemplateView {
  /** The header: its text, or the media as `[immagine] https://…` (a document by its file name when it has one). */
  readonly header?: string;
  readonly body: string;
  readonly footer?: string;
  readonly buttons: readonly ButtonView[];
}

const MEDIA_LABEL = { image: 'immagine', video: 'video', document: 'documento' } as const;

function headerView(template: TemplateInfo, content: TemplateContent): string | undefined {
  const header = content.header;
  if (header === undefined) return template.header?.format === 'TEXT' ? template.header.text : undefined;
  if (header.kind === 'text') {
    const slots = headerSlotsOf(template);
    const p = header.parameters;
    const values = p.format === 'positional' ? p.values : slots.map((s) => p.values[s] ?? `{{${s}}}`);
    return fillHeaderText(template.header?.text ?? '', slots, values);
  }
  const shown = header.kind === 'document' && header.filename !== undefined ? header.filename : 'link' in header.media ? header.media.link : `media ${header.media.id}`;
  return `[${MEDIA_LABEL[header.kind]}] ${shown}`;
}

/** What the phone shows for this template message: header, body and footer filled, each button with where it leads. */
export function templateViewOf(template: TemplateInfo, content: TemplateContent): TemplateView {
  const header = headerView(template, content);
  const buttons = (template.buttons ?? []).map((button, index): ButtonView => {
    const given = content.buttons?.find((b) => b.index === index);
    const url = button.url === undefined ? undefined : given?.kind === 'url' ? button.url.replace(/\{\{\s*[a-z0-9_]+\s*\}\}/i, given.suffix) : button.url;
    return {
      type: button.type,
      text: button.text,
      ...(url === undefined ? {} : { url }),
      ...(button.phoneNumber === undefined ? {} : { phoneNumber: button.phoneNumber }),
      ...(given?.kind === 'quick-reply' ? { payload: given.payload } : {}),
    };
  });
  return {
    ...(header === undefined ? {} : { header }),
    body: fillTemplateBody(template, content.parameters),
    ...(template.footer === undefined ? {} : { footer: template.footer }),
    buttons,
  };
}
