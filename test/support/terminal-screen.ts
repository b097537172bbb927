/**
 * What a terminal shows after `raw` was written to it: the lines left on the screen, as a person sees them once a
 * command ends. Handles what progress bars and prompts write — text, `\r`, `\n`, cursor moves (`ESC[nA/B/C/D/G`)
 * and erasing (`ESC[K`, `ESC[J`); other sequences (colours, cursor visibility) draw nothing.
 */
export function renderScreen(raw: string, columns = 100): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  const line = (): string[] => (lines[row] ??= []);
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\u001b') {
      // eslint-disable-next-line no-control-regex -- reading terminal escape sequences
      const csi = /^\u001b\[([0-9;?]*)([A-Za-z])/.exec(raw.slice(i));
      // eslint-disable-next-line no-control-regex -- reading terminal escape sequences
      const other = /^\u001b(?:[()][AB0-2]|[=>78])/.exec(raw.slice(i));
      if (csi === null) {
        i += (other?.[0].length ?? 1) - 1;
        continue;
      }
      i += csi[0].length - 1;
      const n = Number((csi[1] ?? '').replace('?', '') || '0');
      switch (csi[2]) {
        case 'A':
          row = Math.max(0, row - (n || 1));
          break;
        case 'B':
          row += n || 1;
          break;
        case 'C':
          col += n || 1;
          break;
        case 'D':
          col = Math.max(0, col - (n || 1));
          break;
        case 'G':
          col = Math.max(0, (n || 1) - 1);
          break;
        case 'K':
          if (n === 0) line().splice(col);
          else if (n === 1) line().fill(' ', 0, col);
          else lines[row] = [];
          break;
        case 'J':
          if (n === 0) {
            line().splice(col);
            lines.splice(row + 1);
          }
          break;
        default:
          break;
      }
    } else if (c === '\r') col = 0;
    else if (c === '\n') {
      row++;
      col = 0;
    } else {
      if (col >= columns) {
        row++;
        col = 0;
      }
      const l = line();
      while (l.length < col) l.push(' ');
      l[col++] = c;
    }
  }
  return Array.from({ length: lines.length }, (_x, r) => (lines[r] ?? []).join('').trimEnd());
}
