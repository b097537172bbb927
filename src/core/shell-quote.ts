/** Characters a POSIX shell reads literally in an unquoted word. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One word as a POSIX shell (sh, bash, zsh) reads it back unchanged: a plain word as it is (`cantieri`,
 * `m.rossi@example.it`), anything else in single quotes, where only `'` itself needs care (`'l'\''Aquila'`).
 * Single quotes, because inside double quotes `$`, `` ` `` and `\` still mean something.
 */
export function shellQuote(word: string): string {
  if (PLAIN.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A canale command for a person to paste, every word quoted as the shell needs:
 * `canaleCommand('subscribers', 'forget', '+41 79 123 45 67', '--yes')` → `canale subscribers forget '+41 79 123 45 67' --yes`.
 */
export function canaleCommand(...words: readonly string[]): string {
  return ['canale', ...words.map(shellQuote)].join(' ');
}
