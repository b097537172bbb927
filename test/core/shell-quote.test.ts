import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { canaleCommand, shellQuote } from '../../src/core/shell-quote.js';

describe('shellQuote', () => {
  it.each([
    ['cantieri', 'cantieri'],
    ['m.rossi@example.it', 'm.rossi@example.it'],
    ['+393331234567', '+393331234567'],
    ['municipio=III', 'municipio=III'],
    ['fixtures/iscritti-excel.csv', 'fixtures/iscritti-excel.csv'],
    ['+41 79 123 45 67', "'+41 79 123 45 67'"],
    ["l'Aquila", "'l'\\''Aquila'"],
    ['"Maria"', `'"Maria"'`],
    ['$HOME', "'$HOME'"],
    ['a`b`', "'a`b`'"],
    ['', "''"],
  ])('%j → %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });

  it.each(['+41 79 123 45 67', "l'Aquila", '"Maria" $HOME `x` \\n', 'plain', '', 'a\nb'])('a shell reads %j back unchanged', (word) => {
    // the real shell is the judge: printf prints the one argument it was given
    expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' })).toBe(word);
  });

  it('builds a command to paste', () => {
    expect(canaleCommand('subscribers', 'forget', '+41 79 123 45 67', '--yes')).toBe("canale subscribers forget '+41 79 123 45 67' --yes");
  });
});
