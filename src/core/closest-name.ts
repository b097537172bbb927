/**
 * The name of `candidates` a person most likely meant by `typed` — a typo, a missing or doubled letter, a word
 * cut short — or undefined when none is close: "did you mean …?" must not suggest something unrelated.
 */
export function closestName(typed: string, candidates: readonly string[]): string | undefined {
  const word = typed.trim().toLowerCase();
  if (word === '') return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const other = name.toLowerCase();
    const distance = other.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word, other);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.min(word.length, best.name.length) / 3));
  return best.distance <= allowed ? best.name : undefined;
}

/** Levenshtein distance with adjacent transpositions counted as one edit (`cnatieri` is one slip from `cantieri`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_r, i) => Array.from({ length: b.length + 1 }, (_c, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = d;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
