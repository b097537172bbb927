const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** A record's cells and the offset just past its line break, as csv-parse reports it in `info.bytes`. */
export type PlainRecordVisitor = (cells: string[], end: number) => void;

/**
 * Whether the file is plain CSV, the kind almost every export is: every line ends the same way, LF or CRLF;
 * quotes only around whole values, closed before the next delimiter or line end, and with no line break inside.
 * For such a file csv-parse's reading (with the options the import uses) is simple enough to do in one tight loop;
 * anything else — CR line ends, mixed line ends, stray or unclosed quotes, values over several lines — is left to
 * csv-parse, which then reads the whole file. Returns whether lines end with CRLF, or undefined when not plain.
 */
export function plainLineEnd(bytes: Buffer, delimiter: number): { crlf: boolean } | undefined {
  const firstLf = bytes.indexOf(LF);
  const firstCr = bytes.indexOf(CR);
  // csv-parse takes the first line break it meets as the one of the whole file
  if (firstCr !== -1 && (firstLf === -1 || firstCr < firstLf) && firstLf !== firstCr + 1) return undefined;
  const crlf = firstCr !== -1 && firstLf === firstCr + 1;
  const length = bytes.length;
  let i = 0;
  while (i < length) {
    // at the start of a value
    if (bytes[i] === QUOTE) {
      i++;
      for (;;) {
        if (i >= length) return undefined;
        const b = bytes[i] as number;
        if (b === CR || b === LF) return undefined;
        if (b === QUOTE) {
          if (bytes[i + 1] === QUOTE) i += 2;
          else break;
        } else i++;
      }
      i++; // past the closing quote: a delimiter, a line end or the end must follow
      const b = bytes[i];
      if (i < length && b !== delimiter && b !== CR && b !== LF) return undefined;
    }
    // the rest of an unquoted value, up to a delimiter or a line end
    for (; i < length; i++) {
      const b = bytes[i] as number;
      if (b === delimiter || b === CR || b === LF) break;
      if (b === QUOTE) return undefined;
    }
    if (i >= length) break;
    const b = bytes[i] as number;
    if (b === delimiter) {
      i++;
      continue;
    }
    if (crlf ? b !== CR || bytes[i + 1] !== LF : b !== LF) return undefined;
    i += crlf ? 2 : 1;
  }
  return { crlf };
}

/**
 * Reads the records of a plain CSV file (see `plainLineEnd`) from `start` up to the first record that ends at or
 * after `until`, as csv-parse would with relax_column_count, relax_quotes and skip_empty_lines: empty lines are
 * skipped, a quoted value loses its quotes and `""` becomes `"`. Returns where it stopped.
 */
export function readPlainRecords(bytes: Buffer, delimiter: number, crlf: boolean, start: number, until: number, visit: PlainRecordVisitor): number {
  const length = bytes.length;
  const eolBytes = crlf ? 2 : 1;
  let i = start;
  while (i < length && i < until) {
    // an empty line is no record
    if (bytes[i] === CR || bytes[i] === LF) {
      i += eolBytes;
      continue;
    }
    const cells: string[] = [];
    for (;;) {
      let cell: string;
      if (bytes[i] === QUOTE) {
        const from = i + 1;
        let to = bytes.indexOf(QUOTE, from);
        if (bytes[to + 1] !== QUOTE) {
          cell = bytes.toString('utf8', from, to);
        } else {
          // doubled quotes inside: the value is put together from its pieces
          cell = '';
          let piece = from;
          while (bytes[to + 1] === QUOTE) {
            cell += bytes.toString('utf8', piece, to + 1);
            piece = to + 2;
            to = bytes.indexOf(QUOTE, piece);
          }
          cell += bytes.toString('utf8', piece, to);
        }
        i = to + 1;
      } else {
        const from = i;
        while (i < length) {
          const b = bytes[i];
          if (b === delimiter || b === CR || b === LF) break;
          i++;
        }
        cell = from === i ? '' : bytes.toString('utf8', from, i);
      }
      cells.push(cell);
      if (i < length && bytes[i] === delimiter) {
        i++;
        continue;
      }
      break;
    }
    if (i < length) i += eolBytes;
    visit(cells, i);
  }
  return i;
}
