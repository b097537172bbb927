import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/cli.js';

const t = useTempHome();

const MESSAGE = `---
topics: [cantieri]
subject: Avviso per {{nome}}
---
Ciao {{nome}}, [il tuo profilo]({{sito}}), ![la tua foto]({{sito}}) e [il sito](https://comune.example.it/avvisi).
`;

/** The quoted-printable body of an .eml file, decoded enough to read its HTML. */
function unfold(eml: string): string {
  return eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

describe('subscriber data in the e-mail HTML, end to end', () => {
  it.each(['javascript:alert(1)', 'java&#x09;script:alert(1)', 'JaVaScRiPt:alert(1)', 'vbscript:msgbox(1)', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='])(
    'an attribute %j is never a link or an image source, in preview --html and in the e-mail sent',
    async (hostile) => {
      const added = await t.cli('subscribers', 'add', '--email', 'giulia@example.it', '--name', '[x](javascript:alert(2)) <b>G</b>', '--attr', `sito=${hostile}`, '--topics', 'cantieri');
      expect(added.code, added.stderr).toBe(0);
      await writeFile(join(t.dir, 'avviso.md'), MESSAGE);

      const preview = await t.cli('preview', 'avviso.md', '--to', 'giulia@example.it', '--html', 'anteprima.html');
      expect(preview.code, preview.stderr).toBe(0);
      const sent = await t.cli('send', '--message', 'avviso.md', '--via', 'outbox', '--yes', '--quiet');
      expect(sent.code, sent.stderr).toBe(0);
      const outbox = join(t.home, 'outbox', 'email');
      const [eml = ''] = await readdir(outbox);

      for (const html of [await readFile(join(t.dir, 'anteprima.html'), 'utf8'), unfold(await readFile(join(outbox, eml), 'utf8'))]) {
        expect(html).toContain('Ciao [x](javascript:alert(2)) &lt;b&gt;G&lt;/b&gt;, il tuo profilo, la tua foto e <a href="https://comune.example.it/avvisi">il sito</a>.');
        expect(html).not.toMatch(/(href|src)="[^"]*(script|data:)/i);
        expect(html).not.toContain('<img');
      }
    },
  );
});
