import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePreview } from '../../src/commands/message-preview.js';
import { runPreview } from '../../src/commands/preview/index.js';
import { runConfigSet } from '../../src/commands/config/index.js';
import { parseSubscriberAdd, runSubscriberAdd } from '../../src/commands/subscribers/add.js';
import { FakeClock } from '../support/fake-deps.js';
import { contextFor, newHome, storeOf } from '../support/home.js';
import { sandboxTemplates } from '../support/sandbox-templates.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/messages/', import.meta.url));
const LINKS = { CANALE_PUBLIC_URL: 'https://canale.comune.example.it', CANALE_UNSUBSCRIBE_SECRET: 'test-secret' };

let home: string;
beforeEach(async () => {
  home = await newHome();
  const { ctx } = contextFor(home);
  await runSubscriberAdd(parseSubscriberAdd({ phone: '333 123 4567', name: 'Maria Rossi', topics: 'cantieri', attr: ['municipio=I'] }), ctx);
  await runSubscriberAdd(parseSubscriberAdd({ email: 'luca@example.it', name: 'Luca <Verdi>', topics: 'cantieri,scuola' }), ctx);
  await storeOf(ctx).update((data) => {
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
    expect(html).toContain("Cambia argomenti o annulla l'iscrizione");
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

const CLOUD_API = { CANALE_WHATSAPP_TOKEN: 'token', CANALE_WHATSAPP_PHONE_NUMBER_ID: '123' };

async function messageFile(name: string, source: string): Promise<string> {
  const file = join(dirname(home), name);
  await writeFile(file, source);
  return file;
}

/** Adds a subscriber with the next free id (each fake context counts ids from 1). */
async function addSubscriber(flags: Parameters<typeof parseSubscriberAdd>[0]): Promise<void> {
  const { ctx } = contextFor(home);
  const count = (await storeOf(ctx).read()).subscribers.length;
  for (let i = 0; i < count; i++) ctx.deps.ids.next('sub_');
  await runSubscriberAdd(parseSubscriberAdd(flags), ctx);
}

describe('canale preview says who it renders for', () => {
  it.each([
    ['does not follow its topics', async () => {}, 'mobilita', /Luca <Verdi> \(sub_0002\) is not in this message's audience: does not follow Mobilità.*; canale send would not send it to them — shown anyway/],
    [
      'unsubscribed',
      async () => {
        await storeOf(contextFor(home).ctx).update((data) => {
          data.subscribers = data.subscribers.map((s) => (s.id === 'sub_0002' ? { ...s, status: 'unsubscribed' as const } : s));
        });
      },
      'cantieri',
      /Luca <Verdi> \(sub_0002\) is not in this message's audience: has unsubscribed from everything/,
    ],
  ])('--to someone who %s says so, and still renders', async (_label, setup, topic, note) => {
    await setup();
    const file = await messageFile('fuori.md', `---\ntopics: [${topic}]\nsubject: Avviso\n---\nCiao {{nome}}.\n`);
    const { ctx, stdout } = contextFor(home);
    expect(await runPreview(parsePreview(file, { to: 'luca@example.it' }), ctx)).toBe(0);
    expect(stdout.text).toMatch(note);
    expect(stdout.text).toContain('E-mail → Luca <Verdi>');
    expect(stdout.text).toContain('Ciao Luca <Verdi>.');

    const json = contextFor(home);
    await runPreview(parsePreview(file, { to: 'luca@example.it', json: true }), json.ctx);
    expect(JSON.parse(json.stdout.text).recipient).toMatchObject({ id: 'sub_0002', inAudience: false, gets: [] });
  });

  it('--to someone in the audience says nothing of the kind', async () => {
    const { ctx, stdout } = contextFor(home);
    await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), { to: 'luca@example.it' }), ctx);
    expect(stdout.text).not.toMatch(/not in this message's audience/);
  });

  it('--to EMAIL --html writes the e-mail for that address even when the subscriber prefers WhatsApp', async () => {
    await addSubscriber({ phone: '347 765 4321', email: 'anna@example.it', name: 'Anna Neri', topics: 'cantieri', channel: 'whatsapp' });
    const out = join(dirname(home), 'anna.html');
    const { ctx, stdout } = contextFor(home, { env: LINKS });
    expect(await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), { to: 'anna@example.it', html: out }), ctx)).toBe(0);
    expect(await readFile(out, 'utf8')).toContain('Ciao Anna Neri');
    expect(stdout.text).toContain('Anna Neri (sub_0005) gets this message by WhatsApp (canale send, their preferred channel); shown here by e-mail');
    expect(stdout.text).toContain('E-mail → Anna Neri');
    expect(stdout.text).not.toContain('WhatsApp → Anna Neri');
  });

  it('--channel changes the messages shown, not the audience', async () => {
    const plain = contextFor(home);
    await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), { json: true }), plain.ctx);
    const before = JSON.parse(plain.stdout.text);
    for (const [channel, shown] of [['email', ['email']], ['whatsapp', ['whatsapp']], ['all', ['whatsapp', 'email']]] as const) {
      const { ctx, stdout } = contextFor(home);
      await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), { json: true, channel }), ctx);
      const after = JSON.parse(stdout.text);
      expect({ recipients: after.recipients, skipped: after.skipped, cost: after.cost }).toEqual({ recipients: before.recipients, skipped: before.skipped, cost: before.cost });
      expect(after.envelopes.map((e: { channel: string }) => e.channel)).toEqual(shown);
    }
    const { ctx, stdout } = contextFor(home);
    await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), { channel: 'email' }), ctx);
    expect(stdout.text).toContain('recipients: 2 (WhatsApp 1, e-mail 1)');
    expect(stdout.text).toContain("preview's --channel changes only the messages shown");
  });

  it('shows the message most recipients get: WhatsApp on a tie, e-mail when most get e-mail', async () => {
    const first = contextFor(home);
    await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), {}), first.ctx);
    expect(first.stdout.text).toContain('shown: the WhatsApp message, as 1 of 2 recipient(s) get it, for Maria Rossi (sub_0001)');
    expect(first.stdout.text).toContain('WhatsApp → Maria Rossi');
    await addSubscriber({ email: 'anna@example.it', name: 'Anna Neri', topics: 'cantieri' });
    const second = contextFor(home);
    await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), {}), second.ctx);
    expect(second.stdout.text).toContain('shown: the e-mail message, as 2 of 3 recipient(s) get it, for Luca <Verdi> (sub_0002)');
    expect(second.stdout.text).not.toContain('WhatsApp →');
  });

  it('counts the followers an e-mail-only message misses because they prefer WhatsApp, with the flag that reaches them', async () => {
    await addSubscriber({ phone: '347 765 4321', email: 'anna@example.it', name: 'Anna Neri', topics: 'cantieri', channel: 'whatsapp' });
    const file = await messageFile('solo-email.md', '---\ntopics: [cantieri]\nchannels: [email]\nsubject: Avviso\n---\nCiao {{nome}}.\n');
    const { ctx, stdout, stderr } = contextFor(home);
    await runPreview(parsePreview(file, {}), ctx);
    expect(stdout.text).toContain('skipped: 2 preferred channel not in the message');
    expect(stderr.text).toContain(
      '2 follower(s) of these topics prefer WhatsApp, which this message does not use (channels: [email]), and will not get it — 1 of them can get it by e-mail: send with --channel all to reach them (1 have no address for e-mail)',
    );
    const json = contextFor(home);
    await runPreview(parsePreview(file, { json: true }), json.ctx);
    expect(JSON.parse(json.stdout.text).missed).toEqual({ preferred: 'whatsapp', count: 2, reachable: 1 });
  });
});

describe('canale preview and the settings a send meets now', () => {
  const at = (iso: string) => ({ clock: new FakeClock(new Date(iso)) });

  it('says when WhatsApp quiet hours are in force now, with when they end in local time', async () => {
    const { ctx, stderr } = contextFor(home, { env: CLOUD_API, ...at('2026-11-28T22:30:00Z') });
    expect(await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), {}), ctx)).toBe(0);
    expect(stderr.text).toContain(
      'quiet hours: it is 2026-11-28 23:30, inside the WhatsApp quiet hours (21:00–08:00, Europe/Rome); they end at 2026-11-29 08:00 — a send now is refused; schedule it for then',
    );
    expect(stderr.text).toContain("--at '2026-11-29 08:00'), or send with --urgent if it cannot wait");
  });

  it.each([
    ['in the day', CLOUD_API, '2026-11-28T09:00:00Z'],
    ['when WhatsApp goes to the outbox, which reaches nobody', {}, '2026-11-28T22:30:00Z'],
  ])('says nothing of quiet hours %s', async (_label, env, now) => {
    const { ctx, stderr } = contextFor(home, { env, ...at(now) });
    await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), {}), ctx);
    expect(stderr.text).not.toMatch(/quiet hours/);
  });

  it('flags the default city.name until it is set', async () => {
    const unset = contextFor(home);
    await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), {}), unset.ctx);
    expect(unset.stderr.text).toContain('city.name is not set: e-mails are signed "Comune" — set it with: canale config set city.name "Comune di …"');
    await runConfigSet('city.name', 'Comune di Esempio', contextFor(home).ctx);
    const set = contextFor(home);
    await runPreview(parsePreview(fixture('cantieri-via-nazionale.md'), {}), set.ctx);
    expect(set.stderr.text).not.toContain('city.name');
  });
});
