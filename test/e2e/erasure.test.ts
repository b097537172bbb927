import { existsSync } from 'node:fs';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SmtpSink } from '../../src/adapters/sandbox/smtp-sink.js';
import { inboundPayload, postWebhook, statusPayload } from '../../src/adapters/sandbox/status-webhooks.js';
import { runCli, startCli, useTempHome } from '../support/cli.js';
import { FakeClock } from '../support/fake-deps.js';

/**
 * `forget` must leave no copy of a citizen's phone, e-mail or name anywhere in the home (DESIGN §5).
 * Every capability that writes personal data to a file adds a step to `producers` below, so this test
 * proves its files are covered too.
 */
const t = useTempHome();
const cli = t.cli;

const citizen = { name: 'Ornella Zappacosta', phone: '347 765 4321', e164: '+393477654321', digits: '3477654321', email: 'ornella.zappacosta@example.it' };
const neighbour = { name: 'Bruno Neri', phone: '348 111 2222', email: 'bruno.neri@example.it' };
/** WhatsApp message ids in the event log: the citizen's reply, a receipt of a message to them, one to the neighbour. */
const WAMIDS = { reply: 'wamid.HBgMMzQ3NzY1NDMyMRUCABIYFkVSQVNVUkU', receipt: 'wamid.HBgMMzQ3NzY1NDMyMRUCABEYEFJFQ0VJUFQ', neighbour: 'wamid.HBgMMzQ4MTExMjIyMhUCABEYEE5FSUdIQk9VUg' };

/** Each step leaves the citizen's data in some file of the home, the way real use would. */
const producers: Array<{ name: string; run: () => Promise<void> }> = [
  {
    name: 'db.json, with a consent history',
    run: async () => {
      await cli('subscribers', 'add', '--phone', citizen.phone, '--email', citizen.email, '--name', citizen.name, '--topics', 'cantieri,scuola');
      await cli('subscribers', 'unsubscribe', citizen.email, '--topic', 'scuola', '--note', `chiamata di ${citizen.name}`);
    },
  },
  {
    name: 'a temporary copy of db.json left by a write that crashed',
    run: async () => {
      await copyFile(join(t.home, 'db.json'), join(t.home, '.db.json.deadbeef0000.tmp'));
    },
  },
  {
    name: 'test messages in the outbox (no credentials configured)',
    run: async () => {
      await cli('send', '--test-to', citizen.phone, '--text', `Ciao ${citizen.name}, prova`);
      await cli('send', '--test-to', citizen.email, '--subject', `Per ${citizen.name}`, '--text', `Gentile ${citizen.name}, è una prova`);
      await cli('send', '--test-to', neighbour.phone, '--text', 'Ciao Bruno, prova');
    },
  },
  {
    name: "a campaign's frozen list and journal, with an SMTP reply that names the mailbox",
    run: async () => {
      const sink = new SmtpSink({ port: 0, dir: join(t.dir, 'mail'), clock: new FakeClock(), reject: [citizen.email] });
      const port = await sink.listen();
      try {
        const env = { CANALE_SMTP_URL: `smtp://127.0.0.1:${port}`, CANALE_EMAIL_FROM: 'avvisi@comune.example.it' };
        const sent = await runCli(['send', '--topic', 'cantieri', '--text', 'Lavori in via Roma', '--subject', 'Lavori', '--channel', 'email', '--allow-no-unsubscribe', '--yes'], { home: t.home, cwd: t.dir, env });
        expect(sent.code, sent.stderr).toBe(3);
      } finally {
        await sink.close();
      }
    },
  },
  {
    name: "webhook serve's event log: the citizen's reply with their WhatsApp profile name, and a receipt for their number",
    run: async () => {
      const server = startCli(['webhook', 'serve', '--port', '0'], { home: t.home, cwd: t.dir, env: { CANALE_WHATSAPP_APP_SECRET: 'segreto' } });
      const url = await new Promise<string>((resolve) => {
        let out = '';
        server.child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
        });
      });
      const ids = { wabaId: '1', phoneNumberId: '2', displayNumber: '390000000000' };
      const from = citizen.e164.slice(1);
      const reply = inboundPayload({ wamid: WAMIDS.reply, from, at: new Date('2026-11-28T09:00:00Z'), name: citizen.name, text: 'ARGOMENTI' }, ids);
      expect(await postWebhook(`${url}/webhooks/whatsapp`, reply, 'segreto')).toBe('HTTP 200');
      const receipt = statusPayload({ wamid: WAMIDS.receipt, status: 'read', recipient: from, at: new Date('2026-11-28T09:00:00Z'), callbackData: 'cmp_none' }, ids);
      expect(await postWebhook(`${url}/webhooks/whatsapp`, receipt, 'segreto')).toBe('HTTP 200');
      const theirs = statusPayload({ wamid: WAMIDS.neighbour, status: 'read', recipient: '393481112222', at: new Date('2026-11-28T09:00:00Z'), callbackData: 'cmp_none' }, ids);
      expect(await postWebhook(`${url}/webhooks/whatsapp`, theirs, 'segreto')).toBe('HTTP 200');
      server.child.kill('SIGTERM');
      expect((await server.done).code).toBe(0);
    },
  },
];

/**
 * The outputs a person names that hold personal data: canale refuses to write any of them into the home (DESIGN §5),
 * so no copy there escapes forget. Each is tried from inside the home, where a bare name lands.
 */
async function outputsIntoTheHomeAreRefused(): Promise<void> {
  await writeFile(join(t.dir, 'avviso.md'), '---\ntopics: [cantieri]\nsubject: Avviso\nchannels: [email]\n---\nCiao {{nome}}\n');
  await writeFile(join(t.dir, 'modulo.csv'), `nome;email;argomenti\n${citizen.name};non-una-email;cantieri\n`);
  const inHome = (...args: string[]) => runCli(args, { home: t.home, cwd: t.home });
  const attempts: Array<[string, string[]]> = [
    ['iscritti.csv', ['subscribers', 'export', '--out', 'iscritti.csv']],
    ['iscritti.json', ['subscribers', 'export', '--format', 'json', '--out', 'iscritti.json', '--force']],
    ['scartati.csv', ['subscribers', 'import', join(t.dir, 'modulo.csv'), '--skip-invalid', '--errors', 'scartati.csv', '--yes']],
    ['esito.csv', ['report', '--last', '--format', 'csv', '--with-contacts', '--out', 'esito.csv']],
    ['campaigns/anteprima.html', ['preview', join(t.dir, 'avviso.md'), '--to', citizen.email, '--html', 'campaigns/anteprima.html']],
  ];
  for (const [file, args] of attempts) {
    const result = await inHome(...args);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
    expect(result.stderr).toMatch(/is inside the canale home .* write it outside the home, e\.g\. --(out|errors|html) ~\//);
    expect(existsSync(join(t.home, file)), file).toBe(false);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function filesMentioning(needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of await filesUnder(t.home)) {
    const text = (await readFile(file)).toString('utf8');
    if (needles.some((n) => text.includes(n))) found.push(file);
  }
  return found;
}

describe('subscribers forget', () => {
  it('erases every copy of the phone, e-mail and name from the home, and only theirs', async () => {
    await cli('subscribers', 'add', '--phone', neighbour.phone, '--email', neighbour.email, '--name', neighbour.name, '--topics', 'cantieri');
    for (const producer of producers) await producer.run();
    await outputsIntoTheHomeAreRefused();
    const needles = [citizen.e164, citizen.digits, citizen.email, citizen.name, citizen.name.toLowerCase()];
    expect((await filesMentioning(needles)).length, 'the producers left the data somewhere').toBeGreaterThanOrEqual(producers.length);

    const result = await cli('subscribers', 'forget', citizen.phone, '--yes');
    expect(result.code).toBe(0);

    expect(await filesMentioning(needles)).toEqual([]);
    // their WhatsApp message ids too (Meta can tie them to the number); the neighbour's receipt stays
    expect(await filesMentioning([WAMIDS.reply, WAMIDS.receipt])).toEqual([]);
    expect(await filesMentioning([WAMIDS.neighbour])).toEqual([join(t.home, 'webhooks', 'events.jsonl')]);
    // the campaign still accounts for the forgotten recipient, without saying who they were
    const report = await cli('report', '--last', '--format', 'csv');
    expect(report.stdout).toMatch(/^forgotten,email,failed,SMTP_MAILBOX_REJECTED,the mailbox refused the message,,/m);
    expect(await filesMentioning([neighbour.email])).toEqual([join(t.home, 'db.json')]);
  });
});
