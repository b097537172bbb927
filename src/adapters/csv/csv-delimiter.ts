import { usageError } from '../../core/errors.js';

const CANDIDATES = [',', ';', '\t', '|'] as const;
const NAMES: Readonly<Record<string, string>> = { tab: '\t', '\\t': '\t', comma: ',', virgola: ',', semicolon: ';', 'punto e virgola': ';', pipe: '|' };

/** Checks `--delimiter`: one character (not a quote, a line break, a letter or a digit) or its name (`tab`, `semicolon`…). */
export function checkDelimiter(text: string): string {
  const named = NAMES[text.trim().toLowerCase()];
  if (named !== undefined) return named;
  if (text.length !== 1 || /["\r\n\p{L}\p{N}]/u.test(text)) {
    throw usageError('DELIMITER_INVALID', `--delimiter "${text}" is not a delimiter — use one character such as , ; | or the word tab`);
  }
  return text;
}

/** How a delimiter is named to people. */
export function delimiterLabel(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}

/** For each of the first lines (a quoted line break does not end a line), how often each candidate appears outside quotes. */
function countPerLine(sample: string, maxLines: number): Array<Map<string, number>> {
  const lines: Array<Map<string, number>> = [];
  let counts = new Map<string, number>();
  let quoted = false;
  let empty = true;
  for (let i = 0; i < sample.length && lines.length < maxLines; i++) {
    const c = sample[i] as string;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) {
      if (!empty) lines.push(counts);
      counts = new Map();
      empty = true;
      continue;
    } else if (!quoted && (CANDIDATES as readonly string[]).includes(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
    empty = false;
  }
  if (!empty && lines.length < maxLines) lines.push(counts);
  return lines;
}

/**
 * Picks the delimiter of a CSV sample among `,` `;` tab and `|`: the one that splits the header into columns
 * and splits the most of the following lines into as many. A file of one column reads as comma-separated.
 */
export function detectDelimiter(sample: string): string {
  const lines = countPerLine(sample, 50);
  const header = lines[0];
  let best: { delimiter: string; consistent: number; columns: number } = { delimiter: ',', consistent: -1, columns: 0 };
  for (const delimiter of CANDIDATES) {
    const columns = header?.get(delimiter) ?? 0;
    if (columns === 0) continue;
    const consistent = lines.filter((l) => (l.get(delimiter) ?? 0) === columns).length;
    if (consistent > best.consistent || (consistent === best.consistent && columns > best.columns)) best = { delimiter, consistent, columns };
  }
  return best.delimiter;
}
