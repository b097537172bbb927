import type { Envelope } from '../../core/transport.js';
import type { Ui } from '../../ui/ui.js';
import { drawBubble } from '../../ui/whatsapp-bubble.js';

/** What the citizen will see, drawn for a person on a terminal (or plain in a pipe). */
export function printEnvelope(ui: Ui, envelope: Envelope, recipient: string, extras: { templateText?: string; category?: string }): void {
  const bold = ui.color.bold;
  if (envelope.channel === 'whatsapp') {
    ui.out(bold(`WhatsApp → ${recipient} (${envelope.to})`));
    const content = envelope.content;
    const text = content.kind === 'text' ? content.body : (extras.templateText ?? templateSummary(content));
    const caption =
      content.kind === 'text'
        ? `${text.length} characters · free text`
        : `${text.length} characters · template ${content.name} (${content.language})${extras.category ? ` · ${extras.category.toLowerCase()}` : ''}`;
    if (ui.io.stdout.isTTY) ui.out(drawBubble(text, caption, { color: ui.color, columns: ui.io.stdout.columns || 80 }));
    else ui.out(`${text}\n(${caption})`);
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
