const encoder = new TextEncoder();
const decoder = new TextDecoder();
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Whether the line's bytes hold one of the needles (what the file scrubs search a file for before they scrub a line). */
export function hasAny(line: Uint8Array, needles: readonly Uint8Array[]): boolean {
  const bytes = asBuffer(line);
  return needles.some((needle) => bytes.includes(asBuffer(needle)));
}

/**
 * A line kept as text, scrubbed by one of core/erasure's in-place scrubs of its UTF-8 bytes (they overwrite, never
 * shorten): the text it becomes, the same when the scrub changed nothing.
 */
export function scrubText(text: string, scrub: (line: Uint8Array) => boolean): string {
  const line = encoder.encode(text);
  return scrub(line) ? decoder.decode(line) : text;
}
