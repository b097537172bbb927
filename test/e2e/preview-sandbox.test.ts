import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSandbox } from '../commands/sandbox-fixture.js';
import { runCli, tempDir } from '../support/cli.js';

/**
 * The README's quick start against the sandbox, through the built binary: templates synced from the sandbox's
 * Graph stand-in, then `preview` of the fixture message files, which use the sandbox's templates.
 */
const sandbox = useSandbox();
let dir: Awaited<ReturnType<typeof tempDir>>;

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/messages/${name}`, import.meta.url));
const cli = (...args: string[]) => runCli(args, { home: dir.home, cwd: dir.dir, env: sandbox.env });

beforeAll(async () => {
  dir = await tempDir();
  const sync = await cli('templates', 'sync');
  expect(sync.code, sync.stderr).toBe(0);
  for (const add of [
    ['--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'cantieri,scuola,raccolta-differenziata', '--attr', 'municipio=I'],
    ['--email', 'luca@example.it', '--name', 'Luca Verdi', '--topics', 'cantieri,raccolta-differenziata'],
    ['--phone', '347 765 4321', '--topics', 'cantieri'],
  ]) {
    const added = await cli('subscribers', 'add', ...add);
    expect(added.code, added.stderr).toBe(0);
  }
});

afterAll(async () => {
  await dir.cleanup();
});

interface PreviewJson {
  readonly recipients: { readonly whatsapp: number; readonly email: number; readonly total: number };
  readonly blocked: readonly unknown[];
  readonly envelopes: ReadonlyArray<{ readonly channel: string; readonly to: string; readonly content?: { readonly kind: string; readonly name: string; readonly language: string; readonly parameters: unknown } }>;
}

describe('canale preview against the sandbox templates', () => {
  it.each([
    {
      file: 'cantieri-via-nazionale.md',
      template: 'avviso_cantieri',
      parameters: { format: 'positional', values: ['Maria Rossi', '2 dicembre', 'via Nazionale'] },
      recipients: { whatsapp: 2, email: 1, total: 3 },
      filled: 'Gentile Maria Rossi, dal 2 dicembre sono previsti lavori in via Nazionale. Possibili disagi alla circolazione.',
    },
    {
      file: 'raccolta-differenziata.md',
      template: 'raccolta_rifiuti',
      parameters: { format: 'named', values: { nome: 'Maria Rossi', giorno: 'da lunedì 5 gennaio', materiale: 'carta' } },
      recipients: { whatsapp: 1, email: 1, total: 2 },
      filled: 'Ciao Maria Rossi, da lunedì 5 gennaio la raccolta di carta nel tuo quartiere è spostata.',
    },
    {
      file: 'chiusura-scuola.md',
      template: 'chiusura_scuole',
      parameters: { format: 'positional', values: ['giovedì 4 dicembre', 'ogni ordine e grado', 'allerta meteo arancione'] },
      recipients: { whatsapp: 1, email: 0, total: 1 },
      filled: 'Avviso: giovedì 4 dicembre le scuole di ogni ordine e grado resteranno chiuse per allerta meteo arancione.',
    },
  ])('$file passes with the approved template $template', async ({ file, template, parameters, recipients, filled }) => {
    const json = await cli('preview', fixture(file), '--to', '333 123 4567', '--json');
    expect(json.code, json.stderr).toBe(0);
    const preview = JSON.parse(json.stdout) as PreviewJson;
    expect(preview.blocked).toEqual([]);
    expect(preview.recipients).toEqual(recipients);
    expect(preview.envelopes).toEqual([
      {
        recipientKey: expect.any(String),
        channel: 'whatsapp',
        to: '+393331234567',
        content: { kind: 'template', name: template, language: 'it', parameters },
        templateText: filled,
        templateView: { ...(template === 'avviso_cantieri' ? { header: 'Lavori stradali' } : {}), body: filled, footer: 'Comune di Esempio — messaggio automatico', buttons: [] },
        category: 'UTILITY',
      },
    ]);

    const shown = await cli('preview', fixture(file), '--to', '333 123 4567');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`${filled}\nComune di Esempio — messaggio automatico\n(${filled.length} characters · template ${template} (it) · utility)`);
  });

  it('fills the name parameter with its default for a subscriber without a name', async () => {
    const shown = await cli('preview', fixture('cantieri-via-nazionale.md'), '--to', '347 765 4321');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Gentile cittadina, cittadino, dal 2 dicembre sono previsti lavori in via Nazionale.');
  });

  it.each([
    ['a PAUSED template', 'template: evento_cittadino\n  params: ["la festa", "sabato"]', /whatsapp\.template: "evento_cittadino" \(it\) is PAUSED, not APPROVED — WhatsApp will refuse it/],
    ['too few parameters', 'template: avviso_cantieri\n  params: ["{{nome}}", "2 dicembre"]', /whatsapp\.params: "avviso_cantieri" takes 3 parameter\(s\), the message gives 2/],
    ['positional parameters for a named template', 'template: raccolta_rifiuti\n  params: ["Maria", "lunedì", "carta"]', /"raccolta_rifiuti" takes named parameters \(nome, giorno, materiale\)/],
    ['a template the account does not have', 'template: avviso_strade\n  params: ["x"]', /there is no template "avviso_strade" \(synced: avviso_cantieri, raccolta_rifiuti, chiusura_scuole, allerta_emergenza, evento_cittadino, allerta_meteo, avviso_municipio, bando_pubblicato, conferma_iscrizione\)/],
    ['a language the template is not in', 'template: avviso_cantieri\n  language: en\n  params: ["a", "b", "c"]', /template "avviso_cantieri" has no "en" version \(it has: it\)/],
  ])('blocks %s with exit 1 and the reason', async (_label, whatsapp, reason) => {
    const file = join(dir.dir, 'bloccato.md');
    await writeFile(file, `---\ntopics: [cantieri]\nsubject: Avviso\nwhatsapp:\n  ${whatsapp}\n---\nCiao {{nome | "cittadina, cittadino"}}.\n`);
    const blocked = await cli('preview', file, '--json');
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toBe('');
    expect(blocked.stderr).toMatch(reason);
  });
});
