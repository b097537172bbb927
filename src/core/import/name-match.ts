/** `Rossi  Maria` → `maria`, `rossi`: the words of a name, accents and case ignored, sorted. */
export function nameWords(name: string): string[] {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '')
    .sort();
}

/** True when every word of `few` is among `many` (each word used once: "Maria Maria" is not in "Maria Rossi"). */
function isPartOf(few: readonly string[], many: readonly string[]): boolean {
  let j = 0;
  for (const word of few) {
    while (j < many.length && (many[j] as string) < word) j++;
    if (many[j] !== word) return false;
    j++;
  }
  return true;
}

/**
 * True when two names can be one person's: the same words whatever their case, accents and order, one of them
 * possibly missing some ("Rossi Maria" = "maria rossi" = "Maria"). A missing name agrees with any.
 */
export function namesAgree(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a === b) return true;
  const x = nameWords(a);
  const y = nameWords(b);
  return x.length <= y.length ? isPartOf(x, y) : isPartOf(y, x);
}

/** Of two names that agree, the one with more words (the first when they have as many). */
export function fullerName(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined || a === b) return a ?? b;
  return nameWords(b).length > nameWords(a).length ? b : a;
}
