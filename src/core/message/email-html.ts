import { Marked } from 'marked';
import { replacePlaceholders } from './placeholders.js';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Markdown to HTML where raw HTML in the source is shown as text, never passed through. */
const markdown = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});

/** Placeholders stand in the Markdown as sentinels made of letters and digits, which Markdown leaves alone. */
const sentinel = (i: number): string => `CANALEPH${i}Q`;
const SENTINEL = /CANALEPH(\d+)Q/g;

/**
 * The body of an e-mail as HTML, with its placeholders still open: Markdown is rendered once per message, and
 * `fill` puts each recipient's values in, HTML-escaped, so a name like `<b>Anna</b>` shows as written.
 */
export interface HtmlBody {
  readonly html: string;
  /** The placeholder source (`{{nome | "x"}}`) of each sentinel, by index. */
  readonly slots: readonly string[];
}

export function compileHtmlBody(source: string): HtmlBody {
  // one pass with a map from each placeholder to its slot: a body of 20,000 different placeholders took 40 s when
  // each was looked up in a list and split out of the whole text in turn
  const slots: string[] = [];
  const slotOf = new Map<string, number>();
  const withSentinels = replacePlaceholders(source, (raw) => {
    let slot = slotOf.get(raw);
    if (slot === undefined) {
      slot = slots.push(raw) - 1;
      slotOf.set(raw, slot);
    }
    return sentinel(slot);
  });
  return { html: markdown.parse(withSentinels, { async: false }), slots };
}

/** Puts values in: `valueOf(raw placeholder)` returns the already-filled text, which is escaped here. */
export function fillHtmlBody(body: HtmlBody, valueOf: (placeholder: string) => string): string {
  return body.html.replace(SENTINEL, (_m, i: string) => escapeHtml(valueOf(body.slots[Number(i)] ?? '')));
}

export interface EmailLayout {
  readonly cityName: string;
  readonly subject: string;
  readonly topicLabels: readonly string[];
  readonly unsubscribeUrl?: string;
}

/** A plain, accessible page around the body: the city's name, the text, and a footer with the unsubscribe link. */
export function wrapEmailHtml(bodyHtml: string, layout: EmailLayout): string {
  const city = escapeHtml(layout.cityName);
  const subject = escapeHtml(layout.subject);
  const topics = layout.topicLabels.map(escapeHtml).join(', ');
  const unsubscribe =
    layout.unsubscribeUrl === undefined
      ? ''
      : `<p style="margin:8px 0 0"><a href="${escapeHtml(layout.unsubscribeUrl)}" style="color:#0b57d0">Annulla l'iscrizione</a> con un clic, in qualsiasi momento.</p>`;
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${subject}</title>
</head>
<body style="margin:0;padding:0;background:#f3f4f6;color:#1f2937;font-family:Arial,Helvetica,sans-serif">
<div role="article" aria-roledescription="email" aria-label="${subject}" lang="it" style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff">
<p style="margin:0 0 16px;font-size:14px;font-weight:bold;color:#374151">${city}</p>
<div style="font-size:16px;line-height:1.6">
${bodyHtml}</div>
<hr style="border:none;border-top:1px solid #d1d5db;margin:24px 0 12px">
<div style="font-size:13px;line-height:1.5;color:#4b5563">
<p style="margin:0">Ricevi questo messaggio perché ti sei iscritto/a agli avvisi di ${city}${topics ? ` (${topics})` : ''}.</p>
${unsubscribe}
</div>
</div>
</body>
</html>
`;
}
