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
    const text = content.kind === 'text' ? content.body : (extras.templateText ?? templateSummary(content));
    const caption =
      content.kind === 'text'
        ? `${text.length} characters · free text`
        : `${text.length} characters · template ${content.name} (${content.language})${extras.category ? ` · ${extras.category.toLowerCase()}` : ''}`;
    const parts = bubbleParts(extras.templateView);
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

function templateSummary(content: Extract<Extract<Envelope, { channel: 'whatsapp' }>['content'], { kind: 'template' }>): string {
  const values = content.parameters.format === 'positional' ? content.parameters.values : Object.values(content.parameters.values);
  return `[${content.name}] ${values.join(' · ')}`;
}
