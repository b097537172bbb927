import { describe, expect, it } from 'vitest';
import { compileHtmlBody, escapeHtml, fillHtmlBody, wrapEmailHtml } from '../../../src/core/message/email-html.js';

describe('compileHtmlBody + fillHtmlBody', () => {
  it('renders Markdown once and escapes each recipient value', () => {
    const body = compileHtmlBody('Ciao **{{nome}}**, via _{{via | "Nazionale"}}_ è chiusa.');
    expect(body.slots).toEqual(['{{nome}}', '{{via | "Nazionale"}}']);
    const values: Record<string, string> = { '{{nome}}': '<script>alert(1)</script>', '{{via | "Nazionale"}}': 'Nazionale' };
    expect(fillHtmlBody(body, (raw) => values[raw] ?? '')).toBe(
      '<p>Ciao <strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>, via <em>Nazionale</em> è chiusa.</p>\n',
    );
  });

  it('shows raw HTML in the message as text', () => {
    expect(compileHtmlBody('<img src=x onerror=alert(1)> testo').html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('keeps links, lists and headings', () => {
    const html = compileHtmlBody('# Avviso\n\n- uno\n- due\n\n[sito](https://comune.example.it)').html;
    expect(html).toContain('<h1>Avviso</h1>');
    expect(html).toContain('<li>uno</li>');
    expect(html).toContain('<a href="https://comune.example.it">sito</a>');
  });
});

describe('wrapEmailHtml', () => {
  it('puts the city, the body and the unsubscribe link in an accessible page', () => {
    const html = wrapEmailHtml('<p>Testo</p>', {
      cityName: 'Comune di Roma & dintorni',
      subject: 'Lavori "urgenti"',
      topicLabels: ['Cantieri'],
      unsubscribeUrl: 'https://canale.example.it/u/abc?x=1&y=2',
    });
    expect(html).toContain('<html lang="it">');
    expect(html).toContain('<title>Lavori &quot;urgenti&quot;</title>');
    expect(html).toContain('Comune di Roma &amp; dintorni');
    expect(html).toContain('<a href="https://canale.example.it/u/abc?x=1&amp;y=2"');
    expect(html).toContain('(Cantieri)');
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
