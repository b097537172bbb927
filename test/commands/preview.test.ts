import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePreview, runPreview } from '../../src/commands/preview/index.js';
import { parseSubscriberAdd, runSubscriberAdd } from '../../src/commands/subscribers/add.js';
import { contextFor, newHome } from '../support/home.js';
import { sandboxTemplates } from '../support/sandbox-templates.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/messages/', import.meta.url));
const LINKS = { CANALE_PUBLIC_URL: 'https://canale.comune.example.it', CANALE_UNSUBSCRIBE_SECRET: 'test-secret' };

let home: string;
beforeEach(async () => {
  home = await newHome();
  const { ctx } = contextFor(home);
  await runSubscriberAdd(parseSubscriberAdd({ phone: '333 123 4567', name: 'Maria Rossi', topics: 'cantieri', attr: ['municipio=I'] }), ctx);
  await runSubscriberAdd(parseSubscriberAdd({ email: 'luca@example.it', name: 'Luca <Verdi>', topics: 'cantieri,scuola' }), ctx);
  await (await ctx.store()).update((data) => {
    data.templates = sandboxTemplates();
  });
});
afterEach(async () => {
  await rm(dirname(home), { recursive: true, force: true });
});

const fixture = (name: string) => join(FIXTURES, name);

describe('canale preview', () => {
  it('draws the WhatsApp bubble on a terminal, with the template text filled in', async () => {
    const { ctx, stdout } = contextFor(home, { tty: true });
    expect(await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), {}), ctx)).toBe(0);
    expect(stdout.text).toContain('╭');
    expect(stdout.text).toContain('Gentile Maria Rossi, dal 2 dicembre');
    expect(stdout.text).toMatch(/\d+ characters · template avviso_cantieri \(it\) · utility/);
    expect(stdout.text).toContain('recipients: 2 (WhatsApp 1, e-mail 1)');
  });

  it('prints free text plain in a pipe, with the warnings on stderr', async () => {
    const file = join(dirname(home), 'testo-libero.md');
    await writeFile(file, '---\ntopics: [cantieri]\nsubject: Lavori\n---\nDal **2 dicembre** via Nazionale è _chiusa al traffico_.\n');
    const { ctx, stdout, stderr } = contextFor(home);
    await runPreview(parsePreview(file, {}), ctx);
    expect(stdout.text).not.toContain('╭');
    expect(stdout.text).toContain('Dal *2 dicembre* via Nazionale è _chiusa al traffico_.');
    expect(stdout.text).toMatch(/\d+ characters · free text/);
    expect(stderr.text).toContain('free text on WhatsApp reaches only citizens who wrote to the city in the last 24 hours');
  });

  it('renders the e-mail for --to with escaped values and the unsubscribe headers', async () => {
    const { ctx, stdout } = contextFor(home, { env: LINKS });
    await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), { to: 'luca@example.it', json: true }), ctx);
    const preview = JSON.parse(stdout.text);
    expect(preview.envelopes).toHaveLength(1);
    expect(preview.envelopes[0]).toMatchObject({ channel: 'email', to: 'luca@example.it', subject: 'Lavori in via Nazionale dal 2 dicembre' });
    expect(preview.envelopes[0].html).toContain('Ciao Luca &lt;Verdi&gt;');
    expect(preview.envelopes[0].unsubscribeUrl).toMatch(/^https:\/\/canale\.comune\.example\.it\/u\//);
    expect(preview).toMatchObject({ recipients: { whatsapp: 1, email: 1, total: 2 }, skipped: [], blocked: [], cost: { currency: 'EUR', total: 0 } });
  });

  it('writes the e-mail HTML with --html', async () => {
    const { ctx } = contextFor(home, { env: LINKS });
    const out = join(dirname(home), 'anteprima.html');
    await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), { to: 'luca@example.it', html: out }), ctx);
    const html = await readFile(out, 'utf8');
    expect(html).toContain("Annulla l'iscrizione");
    expect(html).toContain('<strong>2 dicembre</strong>');
  });

  it('names the recipients a placeholder cannot be filled for, and exits 1', async () => {
    const file = join(dirname(home), 'nome.md');
    await writeFile(file, '---\ntopics: [cantieri]\nsubject: Avviso per {{nome}}\n---\nCiao {{nome}}, municipio {{municipio}}.\n');
    const { ctx, stderr } = contextFor(home);
    expect(await runPreview(parsePreview(file, {}), ctx)).toBe(1);
    expect(stderr.text).toContain('1 email recipient(s) cannot get this message: no value for {{municipio}} and no default — e.g. Luca <Verdi>');
    expect(stderr.text).toContain('this blocks the send');
  });

  it.each([
    ['an unknown placeholder', '---\ntopics: [cantieri]\nsubject: x\n---\nCiao {{cognome}}', /unknown placeholder \{\{cognome\}\}/],
    ['an unknown topic', '---\ntopics: [sport]\nsubject: x\n---\nCiao', /unknown topic "sport"/],
    ['an unknown key', '---\ntopics: [cantieri]\nsubjcet: x\n---\nCiao', /:3: subjcet: unknown key "subjcet"/],
  ])('refuses %s before anything else', async (_label, source, message) => {
    const file = join(dirname(home), 'bad.md');
    await writeFile(file, source);
    const { ctx } = contextFor(home);
    await expect(runPreview(parsePreview(file, {}), ctx)).rejects.toThrow(message);
  });

  it('refuses a bad --channel', () => {
    expect(() => parsePreview('x.md', { channel: 'sms' })).toThrow(/--channel "sms" is not whatsapp, email or all/);
  });
});
