import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { parsePreview } from '../../src/commands/message-preview.js';
import { runPreview } from '../../src/commands/preview/index.js';
import { parseSubscriberAdd, runSubscriberAdd } from '../../src/commands/subscribers/add.js';
import { contextFor, newHome, storeOf } from '../support/home.js';
import { sandboxTemplates } from '../support/sandbox-templates.js';

const ALLERTA = fileURLToPath(new URL('../../fixtures/messages/allerta-meteo-mappa.md', import.meta.url));
const MAPPA = 'https://comune.example.it/mappe/allerta-arancione.png';
const BODY = "Gentile Maria Rossi, è in vigore un'allerta meteo arancione. Nella mappa le zone a rischio: evitate sottopassi e argini.";

let home: string;
beforeEach(async () => {
  home = await newHome();
  const { ctx } = contextFor(home);
  await runSubscriberAdd(parseSubscriberAdd({ phone: '333 123 4567', name: 'Maria Rossi', topics: 'emergenze', attr: ['municipio=Centro Storico'] }), ctx);
  await storeOf(ctx).update((data) => {
    data.templates = sandboxTemplates();
  });
});
afterEach(async () => {
  await rm(dirname(home), { recursive: true, force: true });
});

describe('canale preview of a template with a header and buttons', () => {
  it('draws the image’s link over the body, the footer, and the buttons as the phone shows them', async () => {
    const { ctx, stdout } = contextFor(home, { tty: true });
    expect(await runPreview(parsePreview(ALLERTA, { channel: 'whatsapp' }), ctx)).toBe(0);
    const rows = stripVTControlCharacters(stdout.text).split('\n').map((r) => r.trim().replace(/^│ ?| ?│$/g, '').trim());
    const first = rows.indexOf('[immagine]');
    expect(rows.slice(first, first + 2)).toEqual(['[immagine]', MAPPA]);
    expect(rows).toContain('Comune di Esempio — messaggio automatico');
    expect(rows).toContain('↗ Mappa aggiornata');
    expect(rows).toContain('https://comune.example.it/allerte/Centro%20Storico');
    expect(rows).toContain('☎ Protezione civile');
    expect(rows.indexOf('☎ Protezione civile')).toBeLessThan(rows.indexOf('↗ Mappa aggiornata'));
    expect(stdout.text).toMatch(/120 characters · template allerta_meteo \(it\) · utility/);
  });

  it('prints it in a pipe line by line: header, body, footer, each button with where it leads', async () => {
    const { ctx, stdout } = contextFor(home);
    expect(await runPreview(parsePreview(ALLERTA, { channel: 'whatsapp' }), ctx)).toBe(0);
    expect(stdout.text).toContain(
      [`[immagine] ${MAPPA}`, BODY, 'Comune di Esempio — messaggio automatico', '[☎ Protezione civile] +390600000000', '[↗ Mappa aggiornata] https://comune.example.it/allerte/Centro%20Storico', '(120 characters · template allerta_meteo (it) · utility)'].join('\n'),
    );
  });

  it('gives the envelope and the phone’s view of it in JSON', async () => {
    const { ctx, stdout } = contextFor(home);
    await runPreview(parsePreview(ALLERTA, { channel: 'whatsapp', json: true }), ctx);
    const [envelope] = JSON.parse(stdout.text).envelopes;
    expect(envelope.content).toEqual({
      kind: 'template',
      name: 'allerta_meteo',
      language: 'it',
      header: { kind: 'image', media: { link: MAPPA } },
      parameters: { format: 'positional', values: ['Maria Rossi', 'arancione'] },
      buttons: [{ kind: 'url', index: 1, suffix: 'allerte/Centro%20Storico' }],
    });
    expect(envelope.templateText).toBe(BODY);
    expect(envelope.templateView).toMatchObject({ header: `[immagine] ${MAPPA}`, body: BODY, buttons: [{ type: 'PHONE_NUMBER' }, { type: 'URL', url: 'https://comune.example.it/allerte/Centro%20Storico' }] });
  });

  it('shows a named text header filled, and a quick reply with its payload', async () => {
    const file = join(dirname(home), 'municipio.md');
    await writeFile(file, '---\ntopics: [emergenze]\nchannels: [whatsapp]\nwhatsapp:\n  template: avviso_municipio\n  header: ["{{municipio}}"]\n  params: { nome: "{{nome}}", avviso: "domani acqua sospesa" }\n---\n');
    const { ctx, stdout } = contextFor(home);
    expect(await runPreview(parsePreview(file, {}), ctx)).toBe(0);
    expect(stdout.text).toContain('Municipio Centro Storico: avviso\nCiao Maria Rossi, domani acqua sospesa. Tutti i dettagli sul sito del Comune.\n');
    const reply = join(dirname(home), 'conferma.md');
    await writeFile(reply, '---\ntopics: [emergenze]\nchannels: [whatsapp]\nwhatsapp:\n  template: conferma_iscrizione\n  params: ["{{nome}}", "emergenze"]\n  buttons: [{ payload: "STOP emergenze" }]\n---\n');
    const shown = contextFor(home);
    await runPreview(parsePreview(reply, {}), shown.ctx);
    expect(shown.stdout.text).toContain('[↩ Non più avvisi] payload: STOP emergenze\n[↗ Il sito del Comune] https://comune.example.it/avvisi\n');
  });

  it('refuses a message file that leaves out the header, naming the field', async () => {
    const file = join(dirname(home), 'senza-mappa.md');
    await writeFile(file, '---\ntopics: [emergenze]\nchannels: [whatsapp]\nwhatsapp:\n  template: allerta_meteo\n  params: ["{{nome}}", "arancione"]\n  buttons: [{ url: "allerte/centro" }]\n---\n');
    const { ctx } = contextFor(home);
    await expect(runPreview(parsePreview(file, {}), ctx)).rejects.toThrow(/whatsapp\.header: "allerta_meteo" has an image header: add header: \{ image: "https:\/\/…" \}/);
  });

  it('blocks, with exit 1, a header a recipient cannot fill', async () => {
    const { ctx } = contextFor(home);
    await runSubscriberAdd(parseSubscriberAdd({ phone: '333 765 4321', topics: 'emergenze' }), ctx);
    const file = join(dirname(home), 'municipio.md');
    await writeFile(file, '---\ntopics: [emergenze]\nchannels: [whatsapp]\nwhatsapp:\n  template: avviso_municipio\n  header: ["{{municipio}}"]\n  params: { nome: "{{nome | \\"cittadino\\"}}", avviso: "domani acqua sospesa" }\n---\n');
    const { ctx: again, stderr } = contextFor(home);
    expect(await runPreview(parsePreview(file, {}), again)).toBe(1);
    expect(stderr.text).toContain('no value for {{municipio}}');
  });
});
