import type { ChalkInstance } from 'chalk';
import stringWidth from 'string-width';

/** A formatting WhatsApp renders: *bold*, _italic_, ~strike~, ```monospace```. */
type Style = 'bold' | 'italic' | 'strike' | 'mono';

/** One grapheme as the phone shows it (markers removed), with its formatting and its width in terminal columns. */
interface Cell {
  readonly text: string;
  readonly styles: readonly Style[];
  readonly width: number;
}

/** Private-use characters that stand for a marker while the text is parsed: open and close per style. */
const OPEN: Readonly<Record<Style, string>> = { bold: '\uE000', italic: '\uE001', strike: '\uE002', mono: '\uE003' };
const CLOSE: Readonly<Record<Style, string>> = { bold: '\uE010', italic: '\uE011', strike: '\uE012', mono: '\uE013' };
const STYLES: readonly Style[] = ['bold', 'italic', 'strike', 'mono'];

/**
 * WhatsApp's own rules: a marker opens after a start, a space or "(" and closes before an end, a space or
 * punctuation; spans nest (*_both_*), and nothing is formatted inside monospace.
 */
function markSpans(text: string): string {
  const opens = `${OPEN.bold}${OPEN.italic}${OPEN.strike}`;
  const closes = `${CLOSE.bold}${CLOSE.italic}${CLOSE.strike}`;
  const span = (marker: string) => new RegExp(`(^|[\\s(${opens}])\\${marker}(\\S(?:[^${marker}\\n]*\\S)?)\\${marker}(?=$|[\\s).,!?:;${closes}])`, 'g');
  const formatted = (part: string) =>
    part
      .replace(span('*'), (_m, pre: string, s: string) => `${pre}${OPEN.bold}${s}${CLOSE.bold}`)
      .replace(span('_'), (_m, pre: string, s: string) => `${pre}${OPEN.italic}${s}${CLOSE.italic}`)
      .replace(span('~'), (_m, pre: string, s: string) => `${pre}${OPEN.strike}${s}${CLOSE.strike}`);
  return text
    .split(/(```[\s\S]+?```)/)
    .map((part, i) => (i % 2 === 1 ? `${OPEN.mono}${part.slice(3, -3)}${CLOSE.mono}` : formatted(part)))
    .join('');
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The message as the phone shows it, one line of cells per line of text. With colour, the markers become
 * formatting and disappear; without it (NO_COLOR) they stay, since they are all that shows the emphasis.
 */
function cellsOf(text: string, rendered: boolean): Cell[][] {
  const marked = rendered ? markSpans(text) : text;
  const active = new Set<Style>();
  return marked.split('\n').map((line) => {
    const cells: Cell[] = [];
    for (const { segment } of graphemes.segment(line)) {
      const opened = STYLES.find((s) => OPEN[s] === segment);
      const closed = STYLES.find((s) => CLOSE[s] === segment);
      if (opened !== undefined) active.add(opened);
      else if (closed !== undefined) active.delete(closed);
      else cells.push({ text: segment, styles: STYLES.filter((s) => active.has(s)), width: segment === '\t' ? 1 : stringWidth(segment) });
    }
    return cells;
  });
}

const widthOf = (cells: readonly Cell[]): number => cells.reduce((n, c) => n + c.width, 0);

/** Wraps one line of cells on spaces to `width` columns; a word wider than that is cut. */
function wrapCells(line: readonly Cell[], width: number): Cell[][] {
  // each word with the space before it (the space keeps its own formatting: a struck phrase is struck across it)
  const words: Array<{ space?: Cell; cells: Cell[] }> = [{ cells: [] }];
  for (const cell of line) {
    if (cell.text === ' ') words.push({ space: cell, cells: [] });
    else words[words.length - 1]?.cells.push(cell);
  }
  const lines: Cell[][] = [];
  let current: Cell[] = [];
  for (const { space, cells } of words) {
    if (current.length > 0 && widthOf(current) + 1 + widthOf(cells) > width) {
      lines.push(current);
      current = [];
    }
    current = current.length === 0 || space === undefined ? [...current, ...cells] : [...current, space, ...cells];
    while (widthOf(current) > width) {
      let cut = 0;
      let used = 0;
      while (cut < current.length && used + (current[cut]?.width ?? 0) <= width) used += current[cut++]?.width ?? 0;
      cut = Math.max(cut, 1);
      lines.push(current.slice(0, cut));
      current = current.slice(cut);
    }
  }
  lines.push(current);
  return lines;
}

function paint(cells: readonly Cell[], color: ChalkInstance): string {
  const styleOf: Readonly<Record<Style, (s: string) => string>> = { bold: color.bold, italic: color.italic, strike: color.strikethrough, mono: color.cyan };
  let out = '';
  let i = 0;
  while (i < cells.length) {
    const styles = cells[i]?.styles ?? [];
    let text = '';
    while (i < cells.length && sameStyles(cells[i]?.styles ?? [], styles)) text += cells[i++]?.text ?? '';
    out += styles.reduce((s, style) => styleOf[style](s), text);
  }
  return out;
}

const sameStyles = (a: readonly Style[], b: readonly Style[]): boolean => a.length === b.length && a.every((s) => b.includes(s));

/** The message's lines as the phone shows them, wrapped to `width` columns: each with its terminal text and width. */
export function bubbleLines(text: string, width: number, color: ChalkInstance): Array<{ readonly text: string; readonly width: number }> {
  return cellsOf(text, color.level > 0)
    .flatMap((line) => wrapCells(line, width))
    .map((cells) => ({ text: paint(cells, color), width: widthOf(cells) }));
}

/** What a template message shows around its body: a header above it, a footer under it, buttons below the bubble. */
export interface BubbleParts {
  /** The header's text, or the media as a line (`[immagine] https://…`). */
  readonly header?: string;
  readonly footer?: string;
  /** Each button's row: its label (with the sign the phone shows), and where it leads, shown dim under it. */
  readonly buttons?: ReadonlyArray<{ readonly label: string; readonly detail?: string }>;
}

type Line = { readonly text: string; readonly width: number };

/** A button's label in the middle of its row, as the phone centres it. */
function centred(line: Line, inner: number): Line {
  const left = Math.floor((inner - line.width) / 2);
  return { text: `${' '.repeat(Math.max(0, left))}${line.text}`, width: Math.max(0, left) + line.width };
}

/**
 * The message as a chat bubble: a rounded box on the right, as the city's own message appears, with the
 * formatting rendered and a caption (characters, template) under it. A template's header is drawn in bold above the
 * body and its footer dim under it; its buttons are rows under the body, each label centred, as the phone draws
 * them. Every width is the one the terminal shows — markers removed, emoji and East Asian characters two columns —
 * so the right border stays straight.
 */
export function drawBubble(text: string, caption: string, options: { color: ChalkInstance; columns: number; parts?: BubbleParts }): string {
  const { color, parts = {} } = options;
  const width = Math.max(20, Math.min(60, options.columns - 8));
  const styled = (lines: Line[], style: (s: string) => string): Line[] => lines.map((l) => ({ text: style(l.text), width: l.width }));
  const header = parts.header === undefined ? [] : styled(bubbleLines(parts.header, width, color), color.bold);
  const footer = parts.footer === undefined ? [] : styled(bubbleLines(parts.footer, width, color), color.dim);
  const lines = [...header, ...(header.length > 0 ? [{ text: '', width: 0 }] : []), ...bubbleLines(text, width, color), ...footer];
  const buttons = (parts.buttons ?? []).map((b) => [
    ...bubbleLines(b.label, width, color),
    ...(b.detail === undefined ? [] : styled(bubbleLines(b.detail, width, color), color.dim)),
  ]);
  const inner = Math.max(...lines.map((l) => l.width), ...buttons.flat().map((l) => l.width), stringWidth(caption) - 2, 10);
  const indent = ' '.repeat(Math.max(0, Math.min(options.columns, 80) - inner - 4));
  const green = color.green;
  const row = (l: Line) => `${indent}${green('│')} ${l.text}${' '.repeat(inner - l.width)} ${green('│')}`;
  const rows = [
    `${indent}${green(`╭${'─'.repeat(inner + 2)}╮`)}`,
    ...lines.map(row),
    ...buttons.flatMap((b) => [`${indent}${green(`├${'─'.repeat(inner + 2)}┤`)}`, ...b.map((l) => row(centred(l, inner)))]),
    `${indent}${green(`╰${'─'.repeat(inner + 2)}╯`)}`,
    `${indent} ${color.dim(caption)}`,
  ];
  return rows.join('\n');
}
