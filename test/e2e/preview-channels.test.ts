import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/cli.js';

const t = useTempHome();

/** Item 12 of issue 13 through the built binary: who preview renders for, and the flag that reaches those it misses. */
describe('canale preview of an e-mail-only message', () => {
  it('counts the followers who prefer WhatsApp, and send --channel all really reaches those with an e-mail address', async () => {
    for (const add of [
      ['--phone', '333 123 4567', '--email', 'maria@example.it', '--name', 'Maria Rossi', '--topics', 'cantieri', '--channel', 'whatsapp'],
      ['--phone', '347 765 4321', '--name', 'Paolo Bianchi', '--topics', 'cantieri'],
      ['--email', 'luca@example.it', '--name', 'Luca Verdi', '--topics', 'cantieri'],
    ]) {
      const added = await t.cli('subscribers', 'add', ...add);
      expect(added.code, added.stderr).toBe(0);
    }
    await writeFile(join(t.dir, 'solo-email.md'), '---\ntopics: [cantieri]\nchannels: [email]\nsubject: Lavori in via Roma\n---\nCiao {{nome}}, via Roma è chiusa.\n');

    const preview = await t.cli('preview', 'solo-email.md');
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('recipients: 1 (WhatsApp 0, e-mail 1)');
    expect(preview.stderr).toContain(
      '2 follower(s) of these topics prefer WhatsApp, which this message does not use (channels: [email]), and will not get it — 1 of them can get it by e-mail: send with --channel all to reach them (1 have no address for e-mail)',
    );

    const dry = await t.cli('send', '--message', 'solo-email.md', '--channel', 'all', '--dry-run', '--json');
    const plan = JSON.parse(dry.stdout.split('\n')[0] ?? '{}').plan;
    expect(plan.recipients).toEqual({ whatsapp: 0, email: 2, total: 2 });
    // only the follower with no e-mail address is left out, and the plan says what would reach them
    expect(plan.warnings).toContain(
      '1 follower(s) of these topics prefer WhatsApp, which this message does not use (channels: [email]), and will not get it; none of them has an address for e-mail — give the message a WhatsApp version to reach them',
    );

    const sent = await t.cli('send', '--message', 'solo-email.md', '--channel', 'all', '--via', 'outbox', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    const mails = await readdir(join(t.home, 'outbox', 'email'));
    expect(mails).toHaveLength(2);
    const texts = await Promise.all(mails.map((m) => readFile(join(t.home, 'outbox', 'email', m), 'utf8')));
    expect(texts.some((m) => m.includes('To: Maria Rossi <maria@example.it>'))).toBe(true);
    expect(texts.some((m) => m.includes('Luca Verdi <luca@example.it>'))).toBe(true);
  });

  it('--to a phone number of someone outside the audience says so, and --to EMAIL --html writes their e-mail', async () => {
    await t.cli('subscribers', 'add', '--phone', '333 123 4567', '--email', 'maria@example.it', '--name', 'Maria Rossi', '--topics', 'scuola', '--channel', 'whatsapp');
    await writeFile(join(t.dir, 'cantieri.md'), '---\ntopics: [cantieri]\nsubject: Lavori\n---\nCiao {{nome}}, via Roma è **chiusa**.\n');
    const shown = await t.cli('preview', 'cantieri.md', '--to', '333 123 4567');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/Maria Rossi \(sub_\w+\) is not in this message's audience: does not follow Cantieri.*; canale send would not send it to them — shown anyway/);
    expect(shown.stdout).toContain('WhatsApp → Maria Rossi (+393331234567)');

    const html = await t.cli('preview', 'cantieri.md', '--to', 'maria@example.it', '--html', 'maria.html');
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toContain('E-mail → Maria Rossi');
    expect(await readFile(join(t.dir, 'maria.html'), 'utf8')).toContain('<strong>chiusa</strong>');
  });
});
