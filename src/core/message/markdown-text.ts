import { lexer, type Token, type Tokens } from 'marked';

/** How inline and block formatting is written in a plain-text medium. */
interface TextStyle {
  readonly strong: (s: string) => string;
  readonly em: (s: string) => string;
  readonly del: (s: string) => string;
  readonly code: (s: string) => string;
  readonly codeBlock: (s: string) => string;
  readonly heading: (s: string) => string;
  /** What a line break inside a paragraph becomes: WhatsApp would show it, Markdown means a space. */
  readonly softBreak: string;
}

/** WhatsApp's own formatting: *bold*, _italic_, ~strike~, ```monospace```. */
const WHATSAPP: TextStyle = {
  strong: (s) => wrap('*', s),
  em: (s) => wrap('_', s),
  del: (s) => wrap('~', s),
  code: (s) => wrap('```', s),
  codeBlock: (s) => `\`\`\`\n${s}\n\`\`\``,
  heading: (s) => wrap('*', s),
  softBreak: ' ',
};

/** The text alternative of an e-mail: no markers, headings on their own line. */
const PLAIN: TextStyle = {
  strong: (s) => s,
  em: (s) => s,
  del: (s) => s,
  code: (s) => s,
  codeBlock: (s) => s,
  heading: (s) => s,
  softBreak: '\n',
};

/** WhatsApp markers only work hugging the text: `* bold *` is not bold, so spaces move outside. */
function wrap(marker: string, text: string): string {
  const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(text);
  const [, lead = '', core = '', trail = ''] = match ?? [];
  return core === '' ? text : `${lead}${marker}${core}${marker}${trail}`;
}

function inline(tokens: readonly Token[] | undefined, style: TextStyle): string {
  return (tokens ?? []).map((t) => inlineToken(t, style)).join('');
}

function inlineToken(token: Token, style: TextStyle): string {
  switch (token.type) {
    case 'strong':
      return style.strong(inline((token as Tokens.Strong).tokens, style));
    case 'em':
      return style.em(inline((token as Tokens.Em).tokens, style));
    case 'del':
      return style.del(inline((token as Tokens.Del).tokens, style));
    case 'codespan':
      return style.code((token as Tokens.Codespan).text);
    case 'link': {
      const link = token as Tokens.Link;
      const text = inline(link.tokens, style);
      const bare = link.href.replace(/^(https?:\/\/|mailto:)/, '').replace(/\/$/, '');
      return text === link.href || text.replace(/\/$/, '') === bare ? link.href : `${text} (${link.href})`;
    }
    case 'image': {
      const image = token as Tokens.Image;
      return image.text ? `${image.text} (${image.href})` : image.href;
    }
    case 'br':
      return '\n';
    case 'text': {
      const text = token as Tokens.Text;
      return text.tokens ? inline(text.tokens, style) : text.text.replace(/\n/g, style.softBreak);
    }
    default:
      return 'text' in token && typeof token.text === 'string' ? token.text : token.raw;
  }
}

function block(token: Token, style: TextStyle): string | undefined {
  switch (token.type) {
    case 'space':
      return undefined;
    case 'paragraph':
      return inline((token as Tokens.Paragraph).tokens, style);
    case 'heading':
      return style.heading(inline((token as Tokens.Heading).tokens, style));
    case 'code':
      return style.codeBlock((token as Tokens.Code).text);
    case 'blockquote':
      return blocks((token as Tokens.Blockquote).tokens, style)
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n');
    case 'list': {
      const list = token as Tokens.List;
      const first = typeof list.start === 'number' ? list.start : 1;
      return list.items
        .map((item, i) => `${list.ordered ? `${first + i}.` : '-'} ${blocks(item.tokens, style).replace(/\n/g, '\n   ')}`)
        .join('\n');
    }
    case 'hr':
      return '———';
    case 'table': {
      const table = token as Tokens.Table;
      const row = (cells: readonly Tokens.TableCell[]) => cells.map((c) => inline(c.tokens, style)).join(' | ');
      return [row(table.header), ...table.rows.map(row)].join('\n');
    }
    case 'html':
      return (token as Tokens.HTML).text.trim();
    default:
      return inlineToken(token, style);
  }
}

function blocks(tokens: readonly Token[], style: TextStyle): string {
  return tokens
    .map((t) => block(t, style))
    .filter((s): s is string => s !== undefined && s !== '')
    .join('\n\n');
}

/** Markdown as WhatsApp shows it: `**a**` → `*a*`, `_a_`, `~~a~~` → `~a~`, code → ```a```, links as `text (url)`. */
export function markdownToWhatsApp(markdown: string): string {
  return blocks(lexer(markdown), WHATSAPP).trim();
}

/** Markdown as the plain-text part of an e-mail: the words, the links, the lists, no markers. */
export function markdownToPlainText(markdown: string): string {
  return blocks(lexer(markdown), PLAIN).trim();
}
