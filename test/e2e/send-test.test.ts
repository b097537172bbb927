import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/cli.js';

/** A fresh install does its main job with no credentials: test messages land in the outbox. */
const t = useTempHome();

describe('send --test-to with no credentials', () => {
  it('writes the Graph request and a real .eml under the home, 0600, with a warning', async () => {
    const whatsapp = await t.cli('send', '--test-to', '333 123 4567', '--template', 'avviso_cantieri', '--param', 'Maria', '--param', '2 dicembre', '--param', 'via Roma');
    expect(whatsapp.code, whatsapp.stderr).toBe(0);
    expect(whatsapp.stderr).toContain('! whatsapp: no CANALE_WHATSAPP_TOKEN, CANALE_WHATSAPP_PHONE_NUMBER_ID set — messages go to the outbox');
    const [json] = await readdir(join(t.home, 'outbox', 'whatsapp'));
    expect(whatsapp.stdout).toBe(`outbox:outbox/whatsapp/${json}\n`);
    expect(JSON.parse(await readFile(join(t.home, 'outbox', 'whatsapp', json ?? ''), 'utf8'))).toMatchObject({ to: '+393331234567', type: 'template' });

    const email = await t.cli('send', '--test-to', 'maria@example.it', '--subject', 'Città', '--text', 'è una prova');
    expect(email.code, email.stderr).toBe(0);
    const [eml] = await readdir(join(t.home, 'outbox', 'email'));
    const path = join(t.home, 'outbox', 'email', eml ?? '');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toMatch(/^Subject: =\?UTF-8\?Q\?Citt=C3=A0\?=\r$/m);
  });

  it('sends a message file as a subscriber would get it, or with its defaults to an unknown address', async () => {
    await t.cli('subscribers', 'add', '--email', 'maria@example.it', '--name', 'Maria Rossi', '--topics', 'cantieri', '--attr', 'municipio=II');
    await writeFile(join(t.dir, 'avviso.md'), '---\ntopics: [cantieri]\nsubject: "Municipio {{municipio | \\"della città\\"}}"\n---\nCiao {{nome | "cittadina, cittadino"}}, via Roma è chiusa.\n');
    const known = await t.cli('send', '--test-to', 'maria@example.it', '--message', 'avviso.md');
    expect(known.code, known.stderr).toBe(0);
    const unknown = await t.cli('send', '--test-to', 'prova@example.it', '--message', 'avviso.md');
    expect(unknown.code, unknown.stderr).toBe(0);
    const texts = await Promise.all((await readdir(join(t.home, 'outbox', 'email'))).map((f) => readFile(join(t.home, 'outbox', 'email', f), 'utf8')));
    expect(texts.find((m) => m.includes('To: Maria Rossi <maria@example.it>'))).toMatch(/Ciao Maria Rossi, via Roma/);
    expect(texts.find((m) => m.includes('To: Maria Rossi <maria@example.it>'))).toMatch(/^Subject: Municipio II\r$/m);
    expect(texts.find((m) => m.includes('To: prova@example.it'))).toMatch(/Ciao cittadina, cittadino, via Roma/);

    await writeFile(join(t.dir, 'senza-default.md'), '---\ntopics: [cantieri]\nsubject: Avviso\n---\nCiao {{nome}}.\n');
    const refused = await t.cli('send', '--test-to', 'prova@example.it', '--message', 'senza-default.md');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/senza-default\.md cannot be sent to prova@example\.it: no value for \{\{name\}\} \(no subscriber has this address/);

    const whatsapp = await t.cli('send', '--test-to', '333 765 4321', '--message', 'avviso.md');
    expect(whatsapp.code, whatsapp.stderr).toBe(0);
    const [json] = await readdir(join(t.home, 'outbox', 'whatsapp'));
    expect(JSON.parse(await readFile(join(t.home, 'outbox', 'whatsapp', json ?? ''), 'utf8'))).toMatchObject({ to: '+393337654321', type: 'text', text: { body: 'Ciao cittadina, cittadino, via Roma è chiusa.' } });
  });

  it('refuses a send that does not say what or to whom (exit 2), and half a test', async () => {
    const campaign = await t.cli('send', '--topic', 'cantieri');
    expect(campaign.code).toBe(2);
    expect(campaign.stderr).toContain('say what to send: --message FILE (a message file) or --text TEXT');
    const bare = await t.cli('send');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('say who gets it: --topic T');
    const mixed = await t.cli('send', '--test-to', 'maria@example.it', '--topic', 'cantieri');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--test-to sends one test message: drop --topic');
    const half = await t.cli('send', '--test-to', 'maria@example.it', '--text', 'x');
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('a test e-mail needs --subject and --text');
  });

  it('explains that an explicit cloud-api needs credentials', async () => {
    const result = await t.cli('send', '--test-to', '333 123 4567', '--text', 'x', '--via', 'cloud-api');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cloud-api needs CANALE_WHATSAPP_TOKEN and CANALE_WHATSAPP_PHONE_NUMBER_ID');
  });
});
