import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink } from '../../src/adapters/sandbox/smtp-sink.js';
import type { Report } from '../support/send-sandbox.js';
import { runCli, useTempHome } from '../support/cli.js';
import { verifyDkim } from '../support/dkim-verify.js';
import { FakeClock } from '../support/fake-deps.js';
import { parseEml } from '../support/mime-decode.js';

/** E-mail as Gmail's and Yahoo's bulk-sender rules require it (issue 16 §4), through the built binary, to one sink. */

const t = useTempHome();
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
let mailDir = '';
let sink: SmtpSink;
let base: Record<string, string> = {};
const greylisted: string[] = [];

beforeAll(async () => {
  mailDir = await mkdtemp(join(tmpdir(), 'canale-bulk-'));
  sink = new SmtpSink({
    port: 0,
    dir: mailDir,
    clock: new FakeClock(),
    greylist: ['grigio@example.it'],
    onGreylisted: (address) => {
      greylisted.push(address);
    },
  });
  base = { CANALE_SMTP_URL: `smtp://127.0.0.1:${await sink.listen()}`, CANALE_EMAIL_FROM: 'Comune di Esempio <avvisi@comune.example.it>' };
});
afterAll(async () => {
  await sink.close();
  await rm(mailDir, { recursive: true, force: true });
});

const links = { CANALE_PUBLIC_URL: 'https://avvisi.comune.example.it', CANALE_UNSUBSCRIBE_SECRET: 'segreto-di-prova' };
const cli = (env: Record<string, string>, ...args: string[]) => runCli(args, { home: t.home, cwd: t.dir, env: { ...base, ...env } });
const received = (to: string) => sink.received.filter((m) => m.to.includes(to));

async function prepare(emails: readonly string[], subject = 'Lavori in via Nazionale'): Promise<void> {
  for (const email of emails) expect((await cli({}, 'subscribers', 'add', '--email', email, '--topics', 'cantieri', '--channel', 'email')).code).toBe(0);
  expect((await cli({}, 'config', 'set', 'city.name', 'Comune di Esempio')).code).toBe(0);
  await writeFile(join(t.dir, 'avviso.md'), `---\ntopics: [cantieri]\nchannels: [email]\nsubject: "${subject}"\n---\nCiao {{nome | "cittadina, cittadino"}}, ${'la via è chiusa per lavori '.repeat(400)}\n`);
}

describe('e-mail to subscribers, as bulk-sender rules require', () => {
  it('refuses a campaign without an unsubscribe link unless --allow-no-unsubscribe, for send and schedule add', async () => {
    await prepare(['senza.link@example.it']);
    const refused = await cli({}, 'send', '--message', 'avviso.md', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('1 e-mail recipient(s) would get no unsubscribe link: publicUrl and unsubscribeSecret are not set');
    expect(refused.stderr).toContain('or add --allow-no-unsubscribe to send without; nothing was sent');
    const scheduled = await cli({}, 'schedule', 'add', 'avviso.md', '--at', '2099-01-05 08:00', '--yes');
    expect(scheduled.code).toBe(1);
    expect(received('senza.link@example.it')).toHaveLength(0);

    const sent = await cli({}, 'send', '--message', 'avviso.md', '--allow-no-unsubscribe', '--yes', '--quiet');
    expect(sent.code, sent.stderr).toBe(0);
    const [mail] = received('senza.link@example.it');
    const eml = parseEml(await readFile(mail?.file ?? '', 'utf8'));
    expect(eml.header('List-Unsubscribe')).toBeUndefined();
    expect(eml.header('List-Id')).toBe('Comune di Esempio – Cantieri <cantieri.comune.example.it>');
    // the choice is frozen with the schedule: it holds when the schedule fires
    expect((await cli({}, 'schedule', 'add', 'avviso.md', '--at', '2099-01-05 08:00', '--allow-no-unsubscribe', '--yes')).code).toBe(0);
    const { schedules } = JSON.parse(await readFile(join(t.home, 'schedules.json'), 'utf8')) as { schedules: Array<{ send: { allowNoUnsubscribe?: boolean } }> };
    expect(schedules.map((s) => s.send.allowNoUnsubscribe)).toEqual([true]);
  });

  it('refuses an http publicUrl; a local one is warned about, and the mail goes DKIM-signed, one-click, every line within 998 octets', async () => {
    await prepare(['anna@example.it'], `${'Avviso lunghissimo '.repeat(60)}${'x'.repeat(1500)} è`);
    const http = await cli({ ...links, CANALE_PUBLIC_URL: 'http://avvisi.comune.example.it' }, 'send', '--message', 'avviso.md', '--yes');
    expect(http.code).toBe(1);
    expect(http.stderr).toContain('publicUrl http://avvisi.comune.example.it is not https: one-click unsubscribe (RFC 8058) needs an https link');

    await writeFile(join(t.home, 'dkim.pem'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const dkim = { CANALE_EMAIL_DKIM_DOMAIN: 'comune.example.it', CANALE_EMAIL_DKIM_SELECTOR: 'canale2026', CANALE_EMAIL_DKIM_KEY_FILE: 'dkim.pem' };
    const local = await cli({ ...links, ...dkim, CANALE_PUBLIC_URL: 'http://127.0.0.1:8080' }, 'send', '--message', 'avviso.md', '--yes');
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).toContain('publicUrl http://127.0.0.1:8080 is local and not https');
    const [mail] = received('anna@example.it');
    const raw = await readFile(mail?.file ?? '', 'utf8');
    expect(Math.max(...raw.split('\r\n').map((l) => Buffer.byteLength(l)))).toBeLessThanOrEqual(998);
    const verdict = verifyDkim(raw, keys.publicKey);
    expect(verdict).toMatchObject({ ok: true, tags: { d: 'comune.example.it', s: 'canale2026' } });
    expect(verdict.signedHeaders).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'list-id', 'from', 'subject']));
    const eml = parseEml(raw);
    expect(eml.header('List-Unsubscribe')).toMatch(/^<http:\/\/127\.0\.0\.1:8080\/u\/[\w-]+\.[\w-]+>$/);
    expect(eml.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(eml.text).toMatch(/\n\n-- \nPer cambiare argomenti o annullare l'iscrizione: http:\/\/127\.0\.0\.1:8080\/u\//);
  });

  it('a greylisted mailbox waits (email.greylistRetrySeconds) while the others are reached, then is reached by the same send', async () => {
    await prepare(['grigio@example.it', 'bruno@example.it', 'carla@example.it']);
    expect((await cli({}, 'config', 'set', 'email.greylistRetrySeconds', '1')).code).toBe(0);
    const sent = await cli(links, 'send', '--message', 'avviso.md', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    const report = JSON.parse(sent.stdout.slice(sent.stdout.lastIndexOf('\n{') + 1)) as Report;
    // deferred, never failed, never a stop: nobody was marked as a bad mailbox
    expect(report.counts).toMatchObject({ sent: 3, failed: 0, unknown: 0 });
    expect(greylisted).toEqual(['grigio@example.it']);
    expect(['grigio@example.it', 'bruno@example.it', 'carla@example.it'].map((to) => received(to).length)).toEqual([1, 1, 1]);
    // the others went first: the greylisted one was tried again a second later
    const order = sink.received.flatMap((m) => m.to).filter((to) => ['grigio@example.it', 'bruno@example.it', 'carla@example.it'].includes(to));
    expect(order.at(-1)).toBe('grigio@example.it');
  });
});
