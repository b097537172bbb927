/**
 * The encodings canale's e-mails need, written for its one message shape (RFC 2045 quoted-printable bodies, RFC 2047
 * encoded-words in headers, RFC 5322 folding), with every output line within the limits: 76 characters in a body,
 * 78 in a header where whitespace allows it, and never more than 998 octets (RFC 5322 §2.1.1).
 */

const HEX = '0123456789ABCDEF';
/** Longest header line aimed for (RFC 5322 §2.1.1 "SHOULD"), and the hard limit without its CRLF ("MUST"). */
const SOFT_LIMIT = 78;
const HARD_LIMIT = 998;

/** What each byte is to quoted-printable: 0 printable (kept), 1 encoded as =XX, 2 space or tab, 3 CR, 4 LF. */
const CLASS = new Uint8Array(256).fill(1);
for (let b = 33; b <= 126; b++) CLASS[b] = 0;
CLASS[61] = 1; // '='
CLASS[32] = 2;
CLASS[9] = 2;
CLASS[13] = 3;
CLASS[10] = 4;
const HEX_CODES = Uint8Array.from(HEX, (c) => c.charCodeAt(0));

/** Scratch space reused across calls (encoding is synchronous): a message's parts are encoded without fresh buffers. */
let input = Buffer.allocUnsafe(1 << 16);
let output = Buffer.allocUnsafe(1 << 18);

/**
 * UTF-8 text as quoted-printable with CRLF line ends (a lone CR or LF is a line end too): bytes outside printable
 * ASCII, `=`, and a space or tab before a line end are written `=XX`; soft line breaks (`=` CRLF) keep every line at
 * most 76 characters. A byte loop over a class table: this runs for every e-mail of a send (DESIGN §9).
 */
export function quotedPrintable(text: string): Buffer {
  if (input.length < text.length * 3) input = Buffer.allocUnsafe(text.length * 3);
  const length = input.write(text, 'utf8');
  // worst case: every byte as =XX (a line end, CRLF, is shorter), plus a soft break (3 bytes) per 25 encoded bytes
  const worst = length * 3 + Math.ceil(length / 25) * 3 + 2;
  if (output.length < worst) output = Buffer.allocUnsafe(worst);
  const bytes = input;
  const out = output;
  let o = 0;
  let column = 0;
  for (let i = 0; i < length; i++) {
    const b = bytes[i] as number;
    const kind = CLASS[b] as number;
    if (kind === 0 && column < 75) {
      out[o++] = b;
      column++;
      continue;
    }
    if (kind === 3 || kind === 4) {
      if (kind === 3 && bytes[i + 1] === 10) i++;
      out[o++] = 13;
      out[o++] = 10;
      column = 0;
      continue;
    }
    const next = i + 1 < length ? (CLASS[bytes[i + 1] as number] as number) : 4;
    const lineEnds = next === 3 || next === 4;
    const encoded = kind === 1 || (kind === 2 && lineEnds);
    const width = encoded ? 3 : 1;
    // the last character of a line may take the 76th column; any other leaves room for a soft break's `=`
    if (column + width > (lineEnds ? 76 : 75)) {
      out[o++] = 61;
      out[o++] = 13;
      out[o++] = 10;
      column = 0;
    }
    if (encoded) {
      out[o++] = 61;
      out[o++] = HEX_CODES[b >> 4] as number;
      out[o++] = HEX_CODES[b & 15] as number;
    } else out[o++] = b;
    column += width;
  }
  return Buffer.from(out.subarray(0, o));
}

/** Characters RFC 2047 §5(3) lets a Q encoded-word carry as they are, in any header (a phrase is the strictest). */
const Q_SAFE = /^[A-Za-z0-9!*+\-/]$/;
const WORD_OPEN = '=?UTF-8?Q?';
/** An encoded-word is at most 75 characters (RFC 2047 §2): 63 of payload between `=?UTF-8?Q?` and `?=`. */
const WORD_PAYLOAD = 75 - WORD_OPEN.length - 2;

/** `text` as RFC 2047 Q encoded-words of at most 75 characters each, never splitting a character's bytes. */
export function encodedWords(text: string): string[] {
  const words: string[] = [];
  let payload = '';
  for (const char of text) {
    let encoded: string;
    if (char === ' ') encoded = '_';
    else if (Q_SAFE.test(char)) encoded = char;
    else encoded = [...Buffer.from(char, 'utf8')].map((b) => `=${HEX[b >> 4]}${HEX[b & 15]}`).join('');
    if (payload.length + encoded.length > WORD_PAYLOAD) {
      words.push(`${WORD_OPEN}${payload}?=`);
      payload = '';
    }
    payload += encoded;
  }
  if (payload !== '' || words.length === 0) words.push(`${WORD_OPEN}${payload}?=`);
  return words;
}

/** Whether a header text can go as it is: printable ASCII, nothing a decoder would take for an encoded-word. */
function isPlainAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text) && !text.includes('=?');
}

/**
 * An unstructured header's text (Subject) as the atoms of its header line: its words when it is plain ASCII with
 * words short enough to fold between, else encoded-words (which fold anywhere) — so no line outgrows the limits.
 */
export function unstructuredAtoms(text: string): string[] {
  if (text === '') return [];
  const words = text.split(' ');
  const foldable = words.every((w) => w.length > 0 && w.length <= SOFT_LIMIT - 'Subject: '.length);
  return isPlainAscii(text) && foldable ? words : encodedWords(text);
}

/** A display name (RFC 5322 phrase) as atoms: atoms as they are, other ASCII quoted, anything else encoded-words. */
export function phraseAtoms(name: string): string[] {
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+( [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/.test(name) && isPlainAscii(name)) return name.split(' ');
  if (isPlainAscii(name) && name.length <= SOFT_LIMIT - 10) return [`"${name.replace(/(["\\])/g, '\\$1')}"`];
  return encodedWords(name);
}

/**
 * `Name: atom atom …` folded (CRLF and a space) between atoms so lines stay within 78 characters where the atoms
 * allow; an atom longer than the hard limit (a URL of a very long public address) is broken inside, which RFC 2369
 * readers ignore in a List-Unsubscribe URL and which otherwise cannot happen here. CR and LF inside atoms are dropped.
 */
export function headerLine(name: string, atoms: readonly string[]): string {
  const lines: string[] = [];
  let line = `${name}:`;
  for (const given of atoms) {
    // a line break inside a value would start a header of its own (injection): none survives
    const atom = given.replace(/[\r\n]/g, '');
    if (line.length + 1 + atom.length > SOFT_LIMIT && line.trim() !== `${name}:`) {
      lines.push(line);
      line = '';
    }
    line += ` ${atom}`;
    while (line.length > HARD_LIMIT) {
      lines.push(line.slice(0, HARD_LIMIT));
      line = ` ${line.slice(HARD_LIMIT)}`;
    }
  }
  lines.push(line);
  return lines.join('\r\n');
}
