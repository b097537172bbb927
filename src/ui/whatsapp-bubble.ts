import type { ChalkInstance } from 'chalk';

/** WhatsApp's markers rendered on a terminal: *bold*, _italic_, ~strike~, ```monospace```. */
export function styleWhatsApp(text: string, color: ChalkInstance): string {
  if (color.level === 0) return text;
  return text
    .replace(/```([\s\S]+?)```/g, (_m, s: string) => color.cyan(s))
    .replace(/(^|[\s(])\*(\S(?:[^*\n]*\S)?)\*(?=$|[\s).,!?:;])/g, (_m, pre: string, s: string) => pre + color.bold(s))
    .replace(/(^|[\s(])_(\S(?:[^_\n]*\S)?)_(?=$|[\s).,!?:;])/g, (_m, pre: string, s: string) => pre + color.italic(s))
    .replace(/(^|[\s(])~(\S(?:[^~\n]*\S)?)~(?=$|[\s).,!?:;])/g, (_m, pre: string, s: string) => pre + color.strikethrough(s));
}

/** Wraps on spaces to `width` columns, keeping the message's own line breaks. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = '';
      }
      line = line === '' ? word : `${line} ${word}`;
      while (line.length > width) {
        lines.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * The message as a chat bubble: a rounded box on the right, as the city's own message appears, with the
 * formatting rendered and a caption (characters, template) under it.
 */
export function drawBubble(text: string, caption: string, options: { color: ChalkInstance; columns: number }): string {
  const width = Math.max(20, Math.min(60, options.columns - 8));
  const lines = wrapText(text, width);
  const inner = Math.max(...lines.map((l) => l.length), caption.length - 2, 10);
  const indent = ' '.repeat(Math.max(0, Math.min(options.columns, 80) - inner - 4));
  const green = options.color.green;
  const rows = [
    `${indent}${green(`╭${'─'.repeat(inner + 2)}╮`)}`,
    ...lines.map((l) => `${indent}${green('│')} ${styleWhatsApp(l, options.color)}${' '.repeat(inner - l.length)} ${green('│')}`),
    `${indent}${green(`╰${'─'.repeat(inner + 2)}╯`)}`,
    `${indent} ${options.color.dim(caption)}`,
  ];
  return rows.join('\n');
}
