import { describe, expect, it } from 'vitest';
import { parseMessageFile } from '../../src/adapters/message/message-file.js';

const file = (front: string, body = 'Ciao {{nome}}.') => `---\n${front}\n---\n${body}\n`;

describe('parseMessageFile', () => {
  it('reads the front matter and the body', () => {
    const spec = parseMessageFile(
      file(
        'topics: [cantieri]\nsubject: Lavori in via Nazionale\nwhatsapp:\n  template: avviso_cantieri\n  language: it\n  params: ["{{nome}}", "via Nazionale", 2]',
        'Ciao {{nome}}, dal **2 dicembre**…',
      ),
      'lavori.md',
    );
    expect(spec).toEqual({
      source: 'lavori.md',
      topics: ['cantieri'],
      subject: 'Lavori in via Nazionale',
      whatsapp: { template: 'avviso_cantieri', language: 'it', params: ['{{nome}}', 'via Nazionale', '2'] },
      body: 'Ciao {{nome}}, dal **2 dicembre**…',
    });
  });

  it('accepts one topic as a string, named parameters, and CRLF files with a BOM-free start', () => {
    const spec = parseMessageFile('---\r\ntopics: scuola\r\nwhatsapp:\r\n  template: chiusura\r\n  params:\r\n    scuola: Pascoli\r\n---\r\nTesto\r\n', 'x.md');
    expect(spec).toMatchObject({ topics: ['scuola'], whatsapp: { template: 'chiusura', language: 'it', params: { scuola: 'Pascoli' } }, body: 'Testo' });
  });

  it.each([
    ['no front matter', 'Ciao', /^x\.md:1: a message file starts with front matter/],
    ['bad YAML', file('topics: [cantieri\nsubject: x'), /^x\.md:\d+: bad YAML in the front matter/],
    ['an unknown key', file('topics: [cantieri]\nsubjet: Lavori'), /^x\.md:3: subjet: unknown key "subjet"/],
    ['an unknown nested key', file('topics: [cantieri]\nwhatsapp:\n  template: t\n  lang: it'), /^x\.md:5: whatsapp\.lang: unknown key "lang"/],
    ['a wrong type', file('topics: [cantieri]\nsubject: [a, b]'), /^x\.md:3: subject: Invalid input: expected string/],
    ['a bad channel', file('topics: [cantieri]\nchannels: [sms]'), /^x\.md:3: channels\.0: Invalid option/],
    ['an empty template', file('whatsapp:\n  template: ""'), /^x\.md:3: whatsapp\.template: must not be empty/],
    ['a duplicate key', file('subject: a\nsubject: b'), /^x\.md:3: bad YAML .*unique/i],
  ])('reports %s with the file and line', (_label, source, message) => {
    expect(() => parseMessageFile(source, 'x.md')).toThrow(message);
  });
});
