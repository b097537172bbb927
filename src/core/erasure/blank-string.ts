import type { StringToken } from './json-tokens.js';

const BACKSLASH = 0x5c;
const STAR = 0x2a;
const ZERO = 0x30;
const encoder = new TextEncoder();

/**
 * Overwrites the characters of a JSON string where it lies, keeping its length and shape, so a reader that sees
 * any mix of old and new bytes at that moment (the file is shared with running appenders and readers) still reads
 * well-formed JSON: a character's bytes become `*` (or the letters of `word`), an escape such as `\"` becomes `\\`,
 * a `\uXXXX` becomes `\u0000`. Only the characters that overlap bytes `[from, to)` are overwritten. Returns whether
 * a byte changed.
 */
export function blankString(bytes: Uint8Array, token: Pick<StringToken, 'start' | 'end'>, range: { from?: number; to?: number; word?: string } = {}): boolean {
  const from = range.from ?? token.start + 1;
  const to = range.to ?? token.end - 1;
  const word = range.word === undefined ? undefined : encoder.encode(range.word);
  let changed = false;
  const put = (at: number, value: number) => {
    if (bytes[at] !== value) {
      bytes[at] = value;
      changed = true;
    }
  };
  let written = 0;
  for (let i = token.start + 1; i < token.end - 1; ) {
    const isEscape = bytes[i] === BACKSLASH;
    const length = !isEscape ? 1 : bytes[i + 1] === 0x75 /* u */ ? 6 : 2;
    if (i + length > from && i < to) {
      if (!isEscape) put(i, word?.[written] ?? STAR);
      else if (length === 2) put(i + 1, BACKSLASH);
      else for (let k = i + 2; k < i + 6; k++) put(k, ZERO);
      written++;
    }
    i += length;
  }
  return changed;
}

/** Whether a value is one blankString overwrote whole (as it reads once parsed): it is shown as absent. */
export function isErased(value: string): boolean {
  return value.length > 0 && /^[*\\\0]*$/.test(value);
}

/** Where `needle` starts in `bytes[from, to)`, or -1. */
export function indexOfBytes(bytes: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const first = needle[0];
  outer: for (let i = from; i + needle.length <= to; i++) {
    if (bytes[i] !== first) continue;
    for (let k = 1; k < needle.length; k++) if (bytes[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** Blanks every occurrence of each needle inside the string; returns whether a byte changed. */
export function blankNeedles(bytes: Uint8Array, token: Pick<StringToken, 'start' | 'end'>, needles: readonly Uint8Array[]): boolean {
  let changed = false;
  for (const needle of needles) {
    for (let at = indexOfBytes(bytes, needle, token.start + 1, token.end - 1); at >= 0; at = indexOfBytes(bytes, needle, at + needle.length, token.end - 1)) {
      changed = blankString(bytes, token, { from: at, to: at + needle.length }) || changed;
    }
  }
  return changed;
}
