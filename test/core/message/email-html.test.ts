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

describe('links and images in the e-mail HTML', () => {
  const fill = (source: string, values: Record<string, string>) => fillHtmlBody(compileHtmlBody(source), (raw) => values[raw] ?? '');

  it.each([
    '[clicca](javascript:alert(1))',
    '[clicca](JaVaScRiPt:alert(1))',
    '[clicca](java&#x09;script:alert(1))',
    '[clicca](<java\tscript:alert(1)>)',
    '[clicca](vbscript:msgbox(1))',
    '[clicca](data:text/html;base64,PHNjcmlwdD4=)',
    '[clicca][r]\n\n[r]: javascript:alert(1)',
    '<javascript:alert(1)>',
  ])('%j in the message shows as text, not a link', (source) => {
    const html = fill(source, {});
    expect(html).not.toContain('<a ');
    expect(html).not.toMatch(/href=/);
  });

  it('shows an image with a data: or javascript: source as its alt text', () => {
    expect(fill('![mappa](data:image/svg+xml;base64,PHN2Zz4=)', {})).toBe('<p>mappa</p>\n');
    expect(fill('![mappa](javascript:alert(1))', {})).toBe('<p>mappa</p>\n');
  });

  it.each([
    'javascript:alert(document.cookie)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java&#x09;script:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html,<script>alert(1)</script>',
  ])('a subscriber value %j never becomes the URL of a link or an image', (value) => {
    const values = { '{{sito}}': value, '{{nome}}': 'Anna' };
    const link = fill('Ciao {{nome}}, [il tuo profilo]({{sito}} "per {{nome}}") e ![foto di {{nome}}]({{sito}}).', values);
    expect(link).toBe('<p>Ciao Anna, il tuo profilo e foto di Anna.</p>\n');
    expect(fill('[x]({{sito}}/pagina)', values)).toBe('<p>x</p>\n');
    expect(fill('[x]: {{sito}}\n\n[vai][x]', values)).toBe('<p>vai</p>\n');
  });

  it('keeps a link or image whose URL holds a value, with the value encoded and escaped', () => {
    const values = { '{{id}}': 'a b"><script>', '{{nome}}': 'Anna & Co' };
    expect(fill('[profilo](https://comune.example.it/p/{{id}} "di {{nome}}")', values)).toBe(
      '<p><a href="https://comune.example.it/p/a%20b%22%3E%3Cscript%3E" title="di Anna &amp; Co">profilo</a></p>\n',
    );
    expect(fill('![{{nome}}](https://comune.example.it/{{id}}.png)', values)).toBe(
      '<p><img src="https://comune.example.it/a%20b%22%3E%3Cscript%3E.png" alt="Anna &amp; Co"></p>\n',
    );
    // a value that is itself a safe URL is kept as the link
    expect(fill('[sito]({{id}})', { '{{id}}': 'https://comune.example.it/?a=1&b=2' })).toBe('<p><a href="https://comune.example.it/?a=1&amp;b=2">sito</a></p>\n');
  });

  it('never turns a value into markup: Markdown, HTML or a sentinel in a value stays text', () => {
    const values = { '{{nome}}': '[x](javascript:alert(1)) <a href="javascript:alert(1)">y</a> **z** CANALEPH1Q CANALEURL0Q', '{{via}}': 'SECRET' };
    const html = fill('Ciao {{nome}} {{via}} [ok](https://example.it/{{via}})', values);
    expect(html).toBe(
      '<p>Ciao [x](javascript:alert(1)) &lt;a href=&quot;javascript:alert(1)&quot;&gt;y&lt;/a&gt; **z** CANALEPH1Q CANALEURL0Q SECRET <a href="https://example.it/SECRET">ok</a></p>\n',
    );
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
