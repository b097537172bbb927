import { describe, expect, it } from 'vitest';
import { MAX_BODY_LENGTH, parseMessageFile } from '../../src/adapters/message/message-file.js';

const file = (front: string, body: string) => `---\ntopics: [cantieri]\n${front}---\n${body}\n`;

describe('parseMessageFile limits', () => {
  it('reads a few YAML aliases, as a person may write them', () => {
    const spec = parseMessageFile(file('subject: &s Lavori in via Roma\nwhatsapp:\n  template: avviso\n  params: [*s, *s]\n', 'Ciao'), 'x.md');
    expect(spec.whatsapp?.params).toEqual(['Lavori in via Roma', 'Lavori in via Roma']);
  });

  it('refuses aliases that expand past the limit, at the line of the first alias', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 4; i++) levels.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    expect(() => parseMessageFile(file(`${levels.join('\n')}\n`, 'Ciao'), 'x.md')).toThrow(/^x\.md:4: the front matter's YAML aliases/);
  });

  it('reads a body of the limit, and refuses one character more at the line the body starts', () => {
    expect(parseMessageFile(file('', 'a'.repeat(MAX_BODY_LENGTH)), 'x.md').body).toHaveLength(MAX_BODY_LENGTH);
    expect(() => parseMessageFile(file('', 'a'.repeat(MAX_BODY_LENGTH + 1)), 'x.md')).toThrow(
      /^x\.md:4: the body is 1000001 characters, more than a message can be/,
    );
  });
});

describe('parseMessageFile: emphasis markers, whose cost grows with their square in one paragraph', () => {
  it('reads 500 markers in a paragraph, and names the paragraph line past that', () => {
    const fine = `Ciao ${'*a* '.repeat(250)}`;
    expect(parseMessageFile(file('', `${fine}\n\n${fine}`), 'x.md').body).toContain('*a*');
    expect(() => parseMessageFile(file('', `Ciao\n\n\n${'_a '.repeat(501)}\nfine`), 'x.md')).toThrow(
      /^x\.md:7: this paragraph has 501 \* and _ markers, more than canale reads in one \(at most 500\)/,
    );
  });

  it('refuses more than 20,000 in a message, at the paragraph that passes them', () => {
    const paragraph = '_a '.repeat(250);
    const body = Array.from({ length: 81 }, () => paragraph).join('\n\n');
    expect(() => parseMessageFile(file('', body), 'x.md')).toThrow(/^x\.md:164: by this paragraph the body has more \* and _ markers than canale reads in a message \(at most 20000\)/);
  });

  it('counts the lines of blank lines before the body', () => {
    expect(() => parseMessageFile(file('', `\n\n${'a'.repeat(MAX_BODY_LENGTH + 1)}`), 'x.md')).toThrow(/^x\.md:6: the body is/);
  });
});
