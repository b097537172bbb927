import type { TemplateView } from '../core/message/template-view.js';
import type { Envelope } from '../core/transport.js';
import type { Ui } from '../ui/ui.js';
import { drawBubble, type BubbleParts } from '../ui/whatsapp-bubble.js';

/** What preview knows of a template message beyond the envelope: the phone's view of it and the template's category. */
export interface TemplateExtras {
  readonly templateText?: string;
  readonly templateView?: TemplateView;
  readonly category?: string;
}

/** The sign the phone puts before a button's label: a link, a call, a reply. */
const SIGNS: Readonly<Record<string, string>> = { URL: '↗ ', PHONE_NUMBER: '☎ ', VOICE_CALL: '☎ ', QUICK_REPLY: '↩ ' };

/** The header, footer and buttons around a template's body, each button with where it leads (or what it answers). */
function bubbleParts(view: TemplateView | undefined): BubbleParts {
  if (view === undefined) return {};
  const buttons = view.buttons.map((b) => {
    const detail = b.url ?? b.phoneNumber ?? (b.payload === undefined ? undefined : `payload: ${b.payload}`);
    return { label: `${SIGNS[b.type] ?? ''}${b.text}`, ...(detail === undefined ? {} : { detail }) };
  });
  return { ...(view.header === undefined ? {} : { header: view.header }), ...(view.footer === undefined ? {} : { footer: view.footer }), buttons };
}

/** What the citizen will see, drawn for a person on a terminal (or plain in a pipe). */
export function printEnvelope(ui: Ui, envelope: Envelope, recipient: string, extras: TemplateExtras): void {
  const bold = ui.color.bold;
  if (envelope.channel === 'whatsapp') {
    ui.out(bold(`WhatsApp → ${recipient} (${envelope.to})`));
    const content = envelope.content;
    const text = content.kind === 'template' ? (extras.templateText ?? templateSummary(content)) : content.body;
    const caption = captionOf(content, text, extras);
    const parts = content.kind === 'template' ? bubbleParts(extras.templateView) : interactiveParts(content);
    if (ui.io.stdout.isTTY) ui.out(drawBubble(text, caption, { color: ui.color, columns: ui.io.stdout.columns || 80, parts }));
    else ui.out([...(parts.header === undefined ? [] : [parts.header]), text, ...(parts.footer === undefined ? [] : [parts.footer]), ...(parts.buttons ?? []).map((b) => `[${b.label}]${b.detail === undefined ? '' : ` ${b.detail}`}`), `(${caption})`].join('\n'));
    ui.out('');
    return;
  }
  ui.out(bold(`E-mail → ${recipient}`));
  ui.out(`To: ${envelope.toName === undefined ? envelope.to : `${envelope.toName} <${envelope.to}>`}`);
  ui.out(`Subject: ${envelope.subject}`);
  if (envelope.unsubscribeUrl !== undefined) {
    ui.out(`List-Unsubscribe: <${envelope.unsubscribeUrl}>`);
    ui.out('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  }
  ui.out('');
  ui.out(envelope.text.trimEnd());
  ui.out('');
}

type WhatsAppContent = Extract<Envelope, { channel: 'whatsapp' }>['content'];

function captionOf(content: WhatsAppContent, text: string, extras: TemplateExtras): string {
  switch (content.kind) {
    case 'text':
      return `${text.length} characters · free text`;
    case 'list':
      return `${text.length} characters · list of ${content.sections.reduce((n, s) => n + s.rows.length, 0)} rows`;
    case 'buttons':
      return `${text.length} characters · ${content.buttons.length} reply button(s)`;
    case 'template':
      return `${text.length} characters · template ${content.name} (${content.language})${extras.category ? ` · ${extras.category.toLowerCase()}` : ''}`;
    default: {
      const unreachable: never = content;
      return unreachable;
    }
  }
}

/** A list's rows (under its button) or the reply buttons, drawn like a template's buttons. */
function interactiveParts(content: Exclude<WhatsAppContent, { kind: 'template' }>): BubbleParts {
  if (content.kind === 'text') return {};
  const footer = content.footer === undefined ? {} : { footer: content.footer };
  if (content.kind === 'buttons') return { ...footer, buttons: content.buttons.map((b) => ({ label: `↩ ${b.title}`, detail: `id: ${b.id}` })) };
  const rows = content.sections.flatMap((s) => s.rows).map((r) => ({ label: `☰ ${r.title}`, detail: r.description === undefined ? `id: ${r.id}` : `${r.description} · id: ${r.id}` }));
  return { ...footer, buttons: [{ label: `☰ ${content.button}` }, ...rows] };
}

function templateSummary(content: Extract<WhatsAppContent, { kind: 'template' }>): string {
  const values = content.parameters.format === 'positional' ? content.parameters.values : Object.values(content.parameters.values);
  return `[${content.name}] ${values.join(' · ')}`;
}
