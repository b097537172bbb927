import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useTempHome } from '../support/cli.js';
import { runInTerminal } from '../support/terminal.js';

const t = useTempHome();
const DOWN = '\u001b[B';

describe('canale compose, driven on a real terminal', () => {
  it('asks topics, channels, subject, text and WhatsApp mode, writes the file and previews it', async () => {
    await runCli(['subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'cantieri'], { home: t.home, cwd: t.dir });
    const editor = join(t.dir, 'fake-editor.sh');
    await writeFile(editor, `#!/bin/sh\nprintf 'Ciao {{nome}}, dal **3 marzo** via Roma è chiusa.\\n' > "$1"\n`);
    await chmod(editor, 0o755);

    const result = await runInTerminal(['compose', '--out', 'lavori.md'], {
      cwd: t.dir,
      env: { CANALE_HOME: t.home, HOME: t.dir, EDITOR: editor, NO_COLOR: '1' },
      steps: [
        { expect: /Topics/, send: `${DOWN} ` },
        { expect: /◉ Cantieri/, send: '\r' },
        { expect: /Channels/, send: '\r' },
        { expect: /E-mail subject/, send: 'Lavori in via Roma\r' },
        { expect: /WhatsApp: send with an approved template/, send: '\r' },
      ],
    });
    expect(result.code, result.screen).toBe(0);
    expect(await readFile(join(t.dir, 'lavori.md'), 'utf8')).toBe(
      '---\ntopics:\n  - cantieri\nsubject: Lavori in via Roma\n---\nCiao {{nome}}, dal **3 marzo** via Roma è chiusa.\n',
    );
    expect(result.screen).toContain('✓ wrote lavori.md');
    expect(result.screen, result.screen.slice(-1500)).toContain('Ciao Maria Rossi, dal *3 marzo* via Roma è chiusa.');
    expect(result.screen).toContain('send it with: canale send --message lavori.md');

    const preview = await runCli(['preview', 'lavori.md', '--json'], { home: t.home, cwd: t.dir });
    expect(JSON.parse(preview.stdout)).toMatchObject({ topics: ['cantieri'], recipients: { whatsapp: 1, total: 1 } });
  });

  it('is what send opens on a terminal when no message is given, then the send plans, asks and goes on', async () => {
    await runCli(['subscribers', 'add', '--phone', '333 123 4567', '--name', 'Maria Rossi', '--topics', 'cantieri'], { home: t.home, cwd: t.dir });
    const editor = join(t.dir, 'fake-editor.sh');
    await writeFile(editor, `#!/bin/sh\nprintf 'Ciao {{nome}}, via Roma è chiusa.\\n' > "$1"\n`);
    await chmod(editor, 0o755);

    const result = await runInTerminal(['send', '--topic', 'cantieri', '--via', 'outbox'], {
      cwd: t.dir,
      env: { CANALE_HOME: t.home, HOME: t.dir, EDITOR: editor, NO_COLOR: '1' },
      steps: [
        { expect: /◉ Cantieri/, send: '\r' },
        { expect: /Channels/, send: `${DOWN} \r` },
        { expect: /WhatsApp: send with an approved template/, send: '\r' },
        { expect: /Save the message as/, send: '\r' },
        { expect: /Send to 1 recipient/, send: 'y\r' },
      ],
    });
    expect(result.code, result.screen.slice(-1500)).toBe(0);
    expect(result.screen).toMatch(/✓ wrote messaggio-\d{4}-\d{2}-\d{2}-cantieri\.md/);
    expect(result.screen).toMatch(/Campaign cmp_\w+: completed/);
  });

  it('refuses to run without a terminal', async () => {
    const result = await runCli(['compose'], { home: t.home, cwd: t.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/canale compose asks questions, so it needs a terminal/);
  });
});
