import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeEmail, senderOf } from '../../../src/adapters/transports/smtp/email-message.js';
import { encodedWords, headerLine, quotedPrintable } from '../../../src/adapters/transports/smtp/mime-encoding.js';
import { dotStuffed } from '../../../src/adapters/transports/smtp/smtp-session.js';
import type { Email } from '../../../src/core/email.js';
import type { EmailEnvelope } from '../../../src/core/transport.js';
import { decodeQuotedPrintable, decodeWords, parseEml } from '../../support/mime-decode.js';

const sender = senderOf('Comune di Esempio <avvisi@comune.example.it>');
const NOW = new Date('2026-11-28T09:00:00Z');

const envelope: EmailEnvelope = {
  channel: 'email',
  to: 'maria.rossi@example.it' as Email,
  toName: 'Maria Rossì',
  subject: 'Lavori in via Nazionale: è chiusa più a lungo',
  text: "Ciao Maria, la via è chiusa.\n\n-- \nPer annullare l'iscrizione: https://comune.example.it/u/tok\n",
  html: '<p>Ciao Maria, la via <b>è chiusa</b>.</p>',
  unsubscribeUrl: 'https://comune.example.it/u/tok',
  list: { id: 'cantieri', name: 'Comune di Esempio – Cantieri' },
  campaignId: 'cmp_7',
  recipientKey: 'sub_9',
};

/** Every line of a raw message, CRLF-terminated (no bare CR or LF), and the longest in octets. */
function lines(raw: Buffer): { readonly longest: number; readonly bare: boolean } {
  const text = raw.toString('latin1');
  return { longest: Math.max(...text.split('\r\n').map((l) => l.length)), bare: /\r(?!\n)|(?<!\r)\n/.test(text) };
}

describe('composeEmail', () => {
  it('writes the headers bulk senders need, and text and HTML that read back as given', () => {
    const raw = composeEmail(envelope, sender, NOW);
    const eml = parseEml(raw.toString('utf8'));
    expect(eml.header('From')).toBe('Comune di Esempio <avvisi@comune.example.it>');
    expect(eml.header('To')).toBe('Maria Rossì <maria.rossi@example.it>');
    expect(eml.header('Subject')).toBe(envelope.subject);
    expect(eml.header('Date')).toBe('Sat, 28 Nov 2026 09:00:00 +0000');
    expect(eml.header('Message-ID')).toBe('<cmp_7.sub_9@comune.example.it>');
    // RFC 2919: the description, then <topic.domain of From>
    expect(eml.header('List-Id')).toBe('Comune di Esempio – Cantieri <cantieri.comune.example.it>');
    expect(eml.header('List-Unsubscribe')).toBe('<https://comune.example.it/u/tok>');
    expect(eml.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(eml.header('Content-Type')).toMatch(/^multipart\/alternative; boundary="=_canale_[0-9a-f]{24}"$/);
    expect(eml.text).toBe(envelope.text);
    expect(eml.html).toBe(envelope.html);
    // the signature separator keeps its space: quoted-printable writes it "--=20"
    expect(raw.toString('latin1')).toContain('\r\n--=20\r\n');
    expect(lines(raw)).toEqual({ longest: expect.any(Number), bare: false });
  });

  it('leaves List-Unsubscribe and List-Id out when there is no link or topic', () => {
    const { unsubscribeUrl: _u, list: _l, ...bare } = envelope;
    const eml = parseEml(composeEmail(bare, sender, NOW).toString('utf8'));
    expect(eml.fields.map((f) => f.name)).toEqual(['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type']);
  });

  it('keeps every line within 998 octets for a pathological message, and it still reads back', () => {
    const long: EmailEnvelope = {
      ...envelope,
      toName: `Maria ${'Rossì'.repeat(300)}`,
      subject: `${'x'.repeat(3000)} ${'è'.repeat(1200)}`,
      text: `${'a'.repeat(20_000)}\n${'.'.repeat(2000)}\n${'parola '.repeat(3000)}`,
      html: `<p>${'<b>è</b>'.repeat(10_000)}</p>`,
      unsubscribeUrl: `https://comune.example.it/${'u'.repeat(2500)}`,
      list: { id: 'cantieri', name: 'Comune di Esempio – '.repeat(60) },
    };
    const raw = composeEmail(long, senderOf(`${'Comune '.repeat(200)}<avvisi@comune.example.it>`), NOW);
    expect(lines(raw).longest).toBeLessThanOrEqual(998);
    expect(lines(raw).bare).toBe(false);
    // and with the dots of DATA added: still within the limit
    expect(lines(dotStuffed(raw)).longest).toBeLessThanOrEqual(998);
    const eml = parseEml(raw.toString('utf8'));
    expect(eml.header('Subject')).toBe(long.subject);
    expect(eml.text).toBe(long.text);
    expect(eml.html).toBe(long.html);
    // a URL too long for one line is folded (RFC 2369 readers ignore the whitespace inside the brackets)
    expect(eml.header('List-Unsubscribe')?.replace(/\s/g, '')).toBe(`<${long.unsubscribeUrl}>`);
  });

  it('turns an IDN domain into ASCII and refuses a From that is not one address', () => {
    const eml = parseEml(composeEmail({ ...envelope, to: 'anna@città.it' as Email }, sender, NOW).toString('utf8'));
    expect(eml.header('To')).toBe('Maria Rossì <anna@xn--citt-3na.it>');
    expect(() => senderOf('avvisi, altro@comune.example.it')).toThrow(/email.from: .* is not one address/);
  });
});

describe('mime encodings', () => {
  it('quoted-printable reads back as the text, in lines of at most 76 characters of printable ASCII', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(' ', '\t', '\n', '\r\n', '=', '.', 'è', '€', '😀', 'x'.repeat(90))), { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        const encoded = quotedPrintable(text).toString('latin1');
        expect(encoded.split('\r\n').every((l) => l.length <= 76 && /^[\x21-\x7e \t]*$/.test(l) && !/[ \t]$/.test(l))).toBe(true);
        expect(decodeQuotedPrintable(encoded)).toBe(text.replace(/\r\n?/g, '\n'));
      }),
    );
  });

  it('encoded-words are at most 75 characters, each whole UTF-8, and read back as the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const words = encodedWords(text);
        expect(words.every((w) => w.length <= 75)).toBe(true);
        expect(words.every((w) => !decodeWords(w).includes('\uFFFD') || text.includes('\uFFFD'))).toBe(true);
        expect(decodeWords(words.join(' '))).toBe(text);
      }),
    );
  });

  it('folds a header between its atoms within 78 characters, and never joins a line from a CR or LF in a value', () => {
    const line = headerLine('Subject', 'una parola dopo l’altra '.repeat(20).split(' '));
    expect(line.split('\r\n').every((l) => l.length <= 78)).toBe(true);
    expect(headerLine('X', ['a\r\nBcc: tutti@example.it'])).not.toMatch(/\r\nBcc/);
  });
});
