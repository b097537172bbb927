import { Marked } from 'marked';
import { isUnsafeUrl } from './link-scheme.js';
import { replacePlaceholders } from './placeholders.js';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Placeholders stand in the Markdown as sentinels made of letters and digits, which Markdown leaves alone. */
const sentinel = (i: number): string => `CANALEPH${i}Q`;
const SENTINEL = /CANALEPH(\d+)Q/g;
/** Where the HTML waits for a link or an image whose URL holds a placeholder: `URL` opens it, `END` closes a link. */
const MARK = /CANALE(PH|URL|END)(\d+)Q/g;

/** A link or image whose URL is known only once a recipient's values are in: whether it is safe is decided then. */
interface OpenUrl {
  readonly kind: 'link' | 'image';
  /** The URL with its placeholders as sentinels. */
  readonly url: string;
  /** The `title` attribute (escaped, sentinels inside), or empty. */
  readonly title: string;
  /** An image's alt text (escaped, sentinels inside): shown instead of the image when its URL is not safe. */
  readonly alt: string;
}

/**
 * The body of an e-mail as HTML, with its placeholders still open: Markdown is rendered once per message, and
 * `fill` puts each recipient's values in, HTML-escaped, so a name like `<b>Anna</b>` shows as written.
 */
export interface HtmlBody {
  readonly html: string;
  /** The placeholder source (`{{nome | "x"}}`) of each sentinel, by index. */
  readonly slots: readonly string[];
  /** The links and images whose URL holds a placeholder, by index. */
  readonly urls: readonly OpenUrl[];
}

/**
 * Markdown to HTML where raw HTML in the source is shown as text, never passed through, and no link or image is a
 * `javascript:`/`vbscript:`/`data:` URL (`isUnsafeUrl`): such a link shows as its text, such an image as its alt
 * text. A URL that holds a placeholder is checked once the recipient's values are in (`fillHtmlBody`).
 */
function markdownFor(urls: OpenUrl[]): Marked {
  return new Marked({
    gfm: true,
    breaks: false,
    renderer: {
      html: ({ text }) => escapeHtml(text),
      link({ href, title, tokens }) {
        const text = this.parser.parseInline(tokens);
        if (!href.includes('CANALEPH')) return isUnsafeUrl(href) ? text : false;
        const k = urls.push({ kind: 'link', url: href, title: escapeHtml(title ?? ''), alt: '' }) - 1;
        return `CANALEURL${k}Q${text}CANALEEND${k}Q`;
      },
      image({ href, title, text, tokens }) {
        const alt = escapeHtml(tokens === undefined ? text : this.parser.parseInline(tokens, this.parser.textRenderer));
        if (!href.includes('CANALEPH')) return isUnsafeUrl(href) ? alt : false;
        const k = urls.push({ kind: 'image', url: href, title: escapeHtml(title ?? ''), alt }) - 1;
        return `CANALEURL${k}Q`;
      },
    },
  });
}

/** Renders a message's Markdown body once, its placeholders left open for `fillHtmlBody`. */
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
  const urls: OpenUrl[] = [];
  return { html: markdownFor(urls).parse(withSentinels, { async: false }), slots, urls };
}

/** A URL as an attribute value, percent-encoded as marked writes its own; undefined when it cannot be encoded. */
function hrefOf(url: string): string | undefined {
  try {
    return escapeHtml(encodeURI(url).replace(/%25/g, '%'));
  } catch {
    return undefined;
  }
}

/**
 * Puts values in: `valueOf(raw placeholder)` returns the already-filled text, which is escaped here, so a value is
 * always text, never markup. A link or image whose URL holds a placeholder is checked with the values in: when it
 * would be a `javascript:`, `vbscript:` or `data:` URL the link shows as its text, the image as its alt text.
 */
export function fillHtmlBody(body: HtmlBody, valueOf: (placeholder: string) => string): string {
  const fill = (text: string, escape: (value: string) => string): string =>
    text.replace(SENTINEL, (_m, i: string) => escape(valueOf(body.slots[Number(i)] ?? '')));
  const hrefs = body.urls.map((u) => {
    const url = fill(u.url, (value) => value);
    return isUnsafeUrl(url) ? undefined : hrefOf(url);
  });
  return body.html.replace(MARK, (_m, kind: string, index: string) => {
    const i = Number(index);
    if (kind === 'PH') return escapeHtml(valueOf(body.slots[i] ?? ''));
    const open = body.urls[i];
    const href = hrefs[i];
    if (open === undefined) return '';
    const title = open.title === '' ? '' : ` title="${fill(open.title, escapeHtml)}"`;
    if (open.kind === 'image') return href === undefined ? fill(open.alt, escapeHtml) : `<img src="${href}" alt="${fill(open.alt, escapeHtml)}"${title}>`;
    if (href === undefined) return '';
    return kind === 'URL' ? `<a href="${href}"${title}>` : '</a>';
  });
}

export interface EmailLayout {
  readonly cityName: string;
  readonly subject: string;
  readonly topicLabels: readonly string[];
  readonly unsubscribeUrl?: string;
}

/** A plain, accessible page around the body: the city's name, the text, and a footer with the link to the preference page (change topics or leave). */
export function wrapEmailHtml(bodyHtml: string, layout: EmailLayout): string {
  const city = escapeHtml(layout.cityName);
  const subject = escapeHtml(layout.subject);
  const topics = layout.topicLabels.map(escapeHtml).join(', ');
  const unsubscribe =
    layout.unsubscribeUrl === undefined
      ? ''
      : `<p style="margin:8px 0 0"><a href="${escapeHtml(layout.unsubscribeUrl)}" style="color:#0b57d0">Cambia argomenti o annulla l'iscrizione</a>, in qualsiasi momento.</p>`;
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
