/**
 * Reads back the e-mails canale writes, independently of the code that writes them: header fields unfolded and
 * RFC 2047 encoded-words decoded, multipart/alternative split on its boundary, quoted-printable decoded.
 */

/** Quoted-printable (RFC 2045 §6.7) to UTF-8 text, CRLF line ends read as `\n`. */
export function decodeQuotedPrintable(text: string): string {
  const flat = text.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < flat.length; i++) {
    const hex = flat[i] === '=' ? /^[0-9A-F]{2}/.exec(flat.slice(i + 1, i + 3)) : null;
    if (hex !== null) {
      bytes.push(parseInt(hex[0], 16));
      i += 2;
    } else bytes.push(...Buffer.from(flat[i] ?? '', 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n');
}

/** RFC 2047 encoded-words (Q or B, UTF-8) in a header value; whitespace between two adjacent words is dropped. */
export function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
    );
}

export interface HeaderField {
  readonly name: string;
  /** As written, folding included, without the final CRLF. */
  readonly raw: string;
  /** Unfolded (RFC 5322 §2.2.3) and decoded. */
  readonly value: string;
}

export interface Eml {
  readonly fields: readonly HeaderField[];
  /** The decoded value of the (last) field of that name, case-insensitively. */
  header(name: string): string | undefined;
  readonly text: string;
  readonly html: string;
}

/** The header fields of a message, in order. */
export function headerFields(head: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && fields.length > 0) {
      const last = fields.pop() as HeaderField;
      fields.push({ ...last, raw: `${last.raw}\r\n${line}` });
    } else fields.push({ name: line.slice(0, line.indexOf(':')), raw: line, value: '' });
  }
  return fields.map((f) => ({ ...f, value: decodeWords(f.raw.slice(f.raw.indexOf(':') + 1).replace(/\r\n/g, '').trim()) }));
}

export function parseEml(raw: string): Eml {
  const split = raw.indexOf('\r\n\r\n');
  const fields = headerFields(raw.slice(0, split));
  const header = (name: string): string | undefined => fields.filter((f) => f.name.toLowerCase() === name.toLowerCase()).at(-1)?.value;
  const boundary = /boundary="([^"]+)"/.exec(header('Content-Type') ?? '')?.[1] ?? '';
  const parts = raw
    .slice(split + 4)
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const end = part.indexOf('\r\n\r\n');
      return { head: part.slice(0, end), body: decodeQuotedPrintable(part.slice(end + 4).replace(/\r\n$/, '')) };
    });
  const body = (type: string): string => parts.find((p) => p.head.includes(`Content-Type: ${type}`))?.body ?? '';
  return { fields, header, text: body('text/plain'), html: body('text/html') };
}
