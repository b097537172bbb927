import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSandbox } from '../commands/sandbox-fixture.js';
import { runCli, useTempHome } from '../support/cli.js';
import { runInTerminal } from '../support/terminal.js';

const t = useTempHome();
// the sandbox's Graph stand-in gives the templates; compose itself runs without credentials unless a test says so
const sandbox = useSandbox();
const DOWN = '\u001b[B';
const UP = '\u001b[A';
/** Ctrl-U: readline clears the answer typed so far, so a rejected answer can be typed again. */
const CLEAR = '\u0015';
/** Credentials that make WhatsApp go through the Cloud API: nothing is sent by compose or preview. */
const CLOUD_API = { CANALE_WHATSAPP_TOKEN: 'compose-test', CANALE_WHATSAPP_PHONE_NUMBER_ID: '1234567890' };

async function fakeEditor(text: string): Promise<string> {
  const editor = join(t.dir, 'fake-editor.sh');
  await writeFile(editor, `#!/bin/sh\nprintf '${text}\\n' > "$1"\n`);
  await chmod(editor, 0o755);
  return editor;
}

const cli = (...args: string[]) => runCli(args, { home: t.home, cwd: t.dir });

describe('canale compose, driven on a real terminal', () => {
  it('offers an approved template first, checks each parameter as it is typed, and suggests the send it would take', async () => {
    expect((await runCli(['templates', 'sync'], { home: t.home, cwd: t.dir, env: sandbox.env })).code).toBe(0);
    await cli('subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'cantieri');
    await cli('subscribers', 'add', '--phone', '347 765 4321', '--name', 'Paolo Bianchi', '--topics', 'cantieri');
    await cli('subscribers', 'add', '--email', 'luca@example.it', '--name', 'Luca Verdi', '--topics', 'cantieri');
    const editor = await fakeEditor('Ciao {{nome}}, dal **2 dicembre** via Nazionale è chiusa.');

    const result = await runInTerminal(['compose', '--out', 'lavori.md'], {
      cwd: t.dir,
      env: { CANALE_HOME: t.home, HOME: t.dir, EDITOR: editor, NO_COLOR: '1' },
      steps: [
        { expect: /Topics/, send: `${DOWN} ` },
        { expect: /◉ Cantieri/, send: '\r' },
        { expect: /Channels/, send: '\r' },
        // the approved template whose name recalls the topic is first, so Enter takes it
        { expect: /❯ template avviso_cantieri \(it, utility\)[\s\S]*Free text/, send: '\r' },
        { expect: /Value for \{\{1\}\}/, send: '\r' },
        { expect: /Value for \{\{2\}\}/, send: '\r' },
        { expect: /WhatsApp refuses a parameter that is empty/, send: '2     dicembre\r' },
        { expect: /WhatsApp refuses a parameter that contains more than four spaces in a row/, send: `${CLEAR}2 dicembre\r` },
        { expect: /Value for \{\{3\}\}/, send: `${'x'.repeat(1000)}\r` },
        { expect: /over WhatsApp's limit of 1024/, send: `${CLEAR}via Nazionale\r` },
        { expect: /E-mail subject/, send: 'Lavori in via Nazionale\r' },
      ],
      // a thousand keys, each redrawn by the prompt: room for a loaded machine
      timeoutMs: 50_000,
    });
    expect(result.code, result.screen.slice(-2000)).toBe(0);
    expect(await readFile(join(t.dir, 'lavori.md'), 'utf8')).toBe(
      '---\ntopics:\n  - cantieri\nsubject: Lavori in via Nazionale\nwhatsapp:\n  template: avviso_cantieri\n  language: it\n  params:\n    - \'{{nome | "cittadina, cittadino"}}\'\n    - 2 dicembre\n    - via Nazionale\n---\nCiao {{nome}}, dal **2 dicembre** via Nazionale è chiusa.\n',
    );
    // two of three get WhatsApp: the closing preview draws the WhatsApp message, with the template's own text
    expect(result.screen).toContain('shown: the WhatsApp message, as 2 of 3 recipient(s) get it, for Maria Rossi');
    expect(result.screen).toMatch(/Gentile Maria Rossi, dal 2 dicembre sono previsti lavori in/);
    expect(result.screen).toContain('template avviso_cantieri (it) · utility');
    expect(result.screen).not.toContain('E-mail → Luca Verdi');
    expect(result.screen).toContain('send it with: canale send --message lavori.md');

    const preview = await cli('preview', 'lavori.md', '--json');
    expect(preview.code, preview.stderr).toBe(0);
    expect(JSON.parse(preview.stdout)).toMatchObject({ blocked: [], blockers: [], recipients: { whatsapp: 2, email: 1, total: 3 } });
  });

  it('takes free text only when chosen, with the 24-hour warning', async () => {
    expect((await runCli(['templates', 'sync'], { home: t.home, cwd: t.dir, env: sandbox.env })).code).toBe(0);
    await cli('subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'cantieri');
    const editor = await fakeEditor('Ciao {{nome}}, via Roma è chiusa.');
    const result = await runInTerminal(['compose', '--topic', 'cantieri', '--out', 'libero.md'], {
      cwd: t.dir,
      env: { CANALE_HOME: t.home, HOME: t.dir, EDITOR: editor, NO_COLOR: '1' },
      steps: [
        { expect: /◉ Cantieri/, send: '\r' },
        { expect: /Channels/, send: `${DOWN} \r` },
        // the list wraps: up from the first template is the last choice, free text
        { expect: /❯ template avviso_cantieri/, send: UP },
        { expect: /❯ Free text/, send: '\r' },
      ],
    });
    expect(result.code, result.screen.slice(-2000)).toBe(0);
    expect(result.screen).toContain('free text on WhatsApp reaches only citizens who wrote to the city in the last 24 hours; everyone else gets nothing on WhatsApp');
    expect(await readFile(join(t.dir, 'libero.md'), 'utf8')).toBe('---\ntopics:\n  - cantieri\nchannels:\n  - whatsapp\n---\nCiao {{nome}}, via Roma è chiusa.\n');
    // through the outbox nothing stops it
    expect(result.screen).toContain('send it with: canale send --message libero.md');
  });

  it('never suggests canale send for a message a send would refuse now: it says what stops it', async () => {
    await cli('subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'cantieri');
    const hhmm = (ms: number) => new Date(Date.now() + ms).toISOString().slice(11, 16);
    expect((await cli('config', 'set', 'timezone', 'UTC')).code).toBe(0);
    expect((await cli('config', 'set', 'quietHours.whatsapp', `${hhmm(-3600_000)}-${hhmm(3600_000)}`)).code).toBe(0);
    const editor = await fakeEditor('Ciao {{nome}}, via Roma è chiusa.');
    const result = await runInTerminal(['compose', '--topic', 'cantieri', '--out', 'notte.md'], {
      cwd: t.dir,
      env: { CANALE_HOME: t.home, HOME: t.dir, EDITOR: editor, NO_COLOR: '1', ...CLOUD_API },
      steps: [
        { expect: /◉ Cantieri/, send: '\r' },
        { expect: /Channels/, send: `${DOWN} \r` },
      ],
    });
    expect(result.code, result.screen.slice(-2000)).toBe(0);
    expect(result.screen).toContain('no approved WhatsApp template is synced (canale templates sync): WhatsApp gets the text as free text');
    expect(result.screen).toContain('notte.md is written, but canale send would not send it now:');
    expect(result.screen).toContain('free text through the Cloud API reaches only citizens who wrote in the last 24 hours, so send refuses it without --allow-free-text');
    expect(result.screen).toMatch(/quiet hours: it is \d{4}-\d\d-\d\d \d\d:\d\d, inside the WhatsApp quiet hours \(\d\d:\d\d–\d\d:\d\d, UTC\); they end at (\d{4}-\d\d-\d\d \d\d:\d\d) — a send now is refused; schedule it for then \(canale schedule add notte\.md --at '\1'\)/);
    expect(result.screen).not.toContain('send it with');
  });

  it('is what send opens on a terminal when no message is given, then the send plans, asks and goes on', async () => {
    await cli('subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'cantieri');
    const editor = await fakeEditor('Ciao {{nome}}, via Roma è chiusa.');

    const result = await runInTerminal(['send', '--topic', 'cantieri', '--via', 'outbox'], {
      cwd: t.dir,
      env: { CANALE_HOME: t.home, HOME: t.dir, EDITOR: editor, NO_COLOR: '1' },
      steps: [
        { expect: /◉ Cantieri/, send: '\r' },
        { expect: /Channels/, send: `${DOWN} \r` },
        { expect: /Save the message as/, send: '\r' },
        { expect: /Send to 1 recipient/, send: 'y\r' },
      ],
    });
    expect(result.code, result.screen.slice(-1500)).toBe(0);
    expect(result.screen).toMatch(/✓ wrote messaggio-\d{4}-\d{2}-\d{2}-cantieri\.md/);
    expect(result.screen).toMatch(/Campaign cmp_\w+: completed/);
  });

  it('refuses to run without a terminal', async () => {
    const result = await cli('compose');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/canale compose asks questions, so it needs a terminal/);
  });
  it('asks the file name again when it is inside the home, and writes nothing there', async () => {
    await cli('subscribers', 'add', '--email', 'luca@example.it', '--name', 'Luca Verdi', '--topics', 'cantieri');
    const db = await readFile(join(t.home, 'db.json'), 'utf8');
    const editor = await fakeEditor('Ciao {{nome}}, via Roma è chiusa.');
    const result = await runInTerminal(['compose', '--topic', 'cantieri'], {
      cwd: t.dir,
      env: { CANALE_HOME: t.home, HOME: t.dir, EDITOR: editor, NO_COLOR: '1' },
      steps: [
        { expect: /Topics/, send: '\r' },
        // e-mail only: WhatsApp unticked
        { expect: /Channels/, send: ' \r' },
        { expect: /E-mail subject/, send: 'Lavori\r' },
        { expect: /Save the message as/, send: `${CLEAR}${join(t.home, 'db.json')}\r` },
        { expect: /is canale's own db\.json, the subscriber store[\s\S]*Save the message as/, send: `${CLEAR}fuori.md\r` },
      ],
      timeoutMs: 50_000,
    });
    expect(result.code, result.screen.slice(-2000)).toBe(0);
    expect(await readFile(join(t.home, 'db.json'), 'utf8')).toBe(db);
    expect(await readFile(join(t.dir, 'fuori.md'), 'utf8')).toContain('Ciao {{nome}}, via Roma è chiusa.');
  });
});
