import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSubscriberAdd, runSubscriberAdd } from '../../src/commands/subscribers/add.js';
import { runSubscriberForget } from '../../src/commands/subscribers/forget.js';
import { parseSubscriberQuery, runSubscriberCount, runSubscriberList } from '../../src/commands/subscribers/list.js';
import { runSubscriberResubscribe, runSubscriberUnsubscribe } from '../../src/commands/subscribers/opt-out.js';
import { runSubscriberShow } from '../../src/commands/subscribers/show.js';
import { parseSubscriberUpdate, runSubscriberUpdate } from '../../src/commands/subscribers/update.js';
import { parseSubscriberExport, runSubscriberExport } from '../../src/commands/subscribers/export.js';
import { contextFor, newHome } from '../support/home.js';
import { StoreFile } from '../../src/adapters/store/store-file.js';
import type { StoreData } from '../../src/core/store-data.js';

let home: string;
beforeEach(async () => {
  home = await newHome();
  const { ctx } = contextFor(home);
  await runSubscriberAdd(parseSubscriberAdd({ phone: '333 123 4567', name: 'Maria Rossi', topics: 'cantieri,scuola', attr: ['municipio=I'] }), ctx);
  await runSubscriberAdd(parseSubscriberAdd({ email: 'Luca@Example.IT', name: 'Luca Verdi', topics: 'Raccolta differenziata', attr: ['Municipio=II'] }), ctx);
});
afterEach(async () => {
  await rm(dirname(home), { recursive: true, force: true });
});

const query = (flags: Parameters<typeof parseSubscriberQuery>[0] = {}) => parseSubscriberQuery(flags);

describe('subscribers add', () => {
  it('prints the new id on stdout and a ✓ line on stderr', async () => {
    const { ctx, stdout, stderr } = contextFor(home);
    await runSubscriberAdd(parseSubscriberAdd({ phone: '+39 347 000 1111', topics: 'eventi' }), ctx);
    // the home has sub_0001 and sub_0002 already: ids never repeat
    expect(stdout.text).toBe('sub_0003\n');
    expect(stderr.text).toBe('✓ added sub_0003 to eventi via whatsapp\n');
  });

  it('refuses a duplicate phone written differently, naming the existing subscriber', async () => {
    const { ctx } = contextFor(home);
    await expect(runSubscriberAdd(parseSubscriberAdd({ phone: '0039 333.123.4567', topics: 'eventi' }), ctx)).rejects.toThrow(
      /^subscriber sub_0001 already has phone \+393331234567/,
    );
  });

  it.each([
    [{ topics: 'eventi' }, /needs --phone or --email/],
    [{ phone: '333', topics: '' }, /say which topics/],
    [{ phone: '333', topics: 'eventi', attr: ['municipio'] }, /--attr "municipio" is not key=value/],
    [{ phone: '333', topics: 'eventi', consentAt: 'ieri' }, /--consent-at "ieri" is not a date/],
  ])('refuses the flags %j', (flags, message) => {
    expect(() => parseSubscriberAdd(flags)).toThrow(message);
  });

  it('names the flag, the value and the reason for each bad value', async () => {
    const { ctx } = contextFor(home);
    await expect(runSubscriberAdd(parseSubscriberAdd({ phone: '12', email: 'x@', topics: 'sport' }), ctx)).rejects.toThrow(
      /--phone "12": not a valid phone number .*; --email "x@": not a valid e-mail address; --topics "sport": unknown topic/,
    );
  });
});

describe('subscribers list and count', () => {
  it('prints tab-separated rows with a header in a pipe', async () => {
    const { ctx, stdout } = contextFor(home, { tty: false });
    await runSubscriberList(query(), ctx);
    expect(stdout.text.split('\n')).toEqual([
      'ID\tNAME\tPHONE\tEMAIL\tCHANNEL\tTOPICS\tSTATUS\tCONSENT',
      'sub_0001\tMaria Rossi\t+393331234567\t\twhatsapp\tcantieri,scuola\tactive\t2026-11-28 10:00',
      'sub_0002\tLuca Verdi\t\tLuca@example.it\temail\traccolta-differenziata\tactive\t2026-11-28 10:00',
      '',
    ]);
  });

  it('prints an aligned table on a terminal, coloured unless NO_COLOR', async () => {
    const tty = contextFor(home, { tty: true });
    await runSubscriberList(query(), tty.ctx);
    expect(tty.stdout.text).not.toContain('\t');
    expect(tty.stdout.text).toContain('\u001b[1m');
    const [header, first] = tty.stdout.text.split('\n');
    // eslint-disable-next-line no-control-regex -- stripping ANSI colour codes
    expect(header?.replace(/\u001b\[\d+m/g, '').indexOf('NAME')).toBe(first?.indexOf('Maria Rossi'));

    const plain = contextFor(home, { tty: true, env: { NO_COLOR: '1' } });
    await runSubscriberList(query(), plain.ctx);
    expect(plain.stdout.text).not.toContain('\u001b[');
  });

  it('prints the JSON of DESIGN §10 with --json', async () => {
    const { ctx, stdout } = contextFor(home);
    await runSubscriberList(query({ topic: ['cantieri'], json: true }), ctx);
    expect(JSON.parse(stdout.text)).toEqual([
      expect.objectContaining({
        id: 'sub_0001',
        name: 'Maria Rossi',
        phone: '+393331234567',
        email: null,
        topics: ['cantieri', 'scuola'],
        channel: 'whatsapp',
        status: 'active',
        attributes: { municipio: 'I' },
        consent: { source: 'cli', at: '2026-11-28T09:00:00.000Z' },
        createdAt: '2026-11-28T09:00:00.000Z',
        updatedAt: '2026-11-28T09:00:00.000Z',
      }),
    ]);
  });

  it.each([
    [{ topic: ['cantieri'] }, 1],
    [{ topic: ['Raccolta differenziata', 'cantieri'] }, 2],
    [{ where: ['municipio=ii'] }, 1],
    [{ search: 'verdi' }, 1],
    [{ status: 'unsubscribed' }, 0],
    [{}, 2],
  ])('counts %j → %i', async (flags, count) => {
    const { ctx, stdout } = contextFor(home);
    await runSubscriberCount(query(flags), ctx);
    expect(stdout.text).toBe(`${count}\n`);
  });

  it('counts as JSON', async () => {
    const { ctx, stdout } = contextFor(home);
    await runSubscriberCount(query({ json: true }), ctx);
    expect(JSON.parse(stdout.text)).toEqual({ count: 2 });
  });

  it('counts and lists each subscriber once in a db.json edited by hand half-way through its subscribers', async () => {
    const db = join(home, 'db.json');
    // the subscribers added went to the change log: written into db.json first, as a person would find it
    const store = new StoreFile(db);
    await store.write((await store.read()) as StoreData);
    const text = await readFile(db, 'utf8');
    // the second subscriber's record spread over two lines: still valid JSON, no longer canale's layout
    await writeFile(db, text.replace('{"id":"sub_0002",', '{"id":"sub_0002",\n'));
    const counted = contextFor(home);
    await runSubscriberCount(query({}), counted.ctx);
    expect(counted.stdout.text).toBe('2\n');
    const listed = contextFor(home);
    await runSubscriberList(query({ json: true }), listed.ctx);
    expect((JSON.parse(listed.stdout.text) as Array<{ id: string }>).map((s) => s.id)).toEqual(['sub_0001', 'sub_0002']);
  });

  it('refuses an unknown topic and a bad status', async () => {
    const { ctx } = contextFor(home);
    await expect(runSubscriberCount(query({ topic: ['sport'] }), ctx)).rejects.toThrow(/unknown topic "sport"/);
    expect(() => query({ status: 'gone' })).toThrow(/--status "gone" is not a status/);
  });
});

describe('subscribers add --consent-at', () => {
  it.each([
    ['2026-02-03', '2026-02-02T23:00:00.000Z'],
    ['03/02/2026', '2026-02-02T23:00:00.000Z'],
    ['2026-07-03 10:30', '2026-07-03T08:30:00.000Z'],
    ['2026-11-28T10:30:00+01:00', '2026-11-28T09:30:00.000Z'],
  ])('reads %s in the city\'s timezone (a date alone is that day there): %s', async (given, stored) => {
    const { ctx } = contextFor(home);
    await runSubscriberAdd(parseSubscriberAdd({ phone: '347 555 0101', topics: 'eventi', consentAt: given }), ctx);
    const shown = contextFor(home);
    await runSubscriberShow('347 555 0101', { json: true }, shown.ctx);
    expect(JSON.parse(shown.stdout.text)).toMatchObject({ consent: { at: stored } });
  });
});

describe('subscribers update, unsubscribe, resubscribe', () => {
  it('updates contacts and attributes by phone REF', async () => {
    const { ctx } = contextFor(home);
    await runSubscriberUpdate(parseSubscriberUpdate('+39 333 1234567', { email: 'maria@example.it', attr: ['municipio=', 'cap=00184'] }), ctx);
    const shown = contextFor(home);
    await runSubscriberShow('maria@example.it', { json: true }, shown.ctx);
    expect(JSON.parse(shown.stdout.text)).toMatchObject({ id: 'sub_0001', email: 'maria@example.it', attributes: { cap: '00184' } });
  });

  it('will not drop the only contact of the preferred channel', async () => {
    const { ctx } = contextFor(home);
    await expect(runSubscriberUpdate(parseSubscriberUpdate('sub_0002', { email: '' }), ctx)).rejects.toThrow(/needs a phone number or an e-mail/);
  });

  it('does not put back a topic the citizen left', async () => {
    const { ctx } = contextFor(home);
    await runSubscriberUnsubscribe({ ref: 'sub_0001', topic: 'scuola' }, ctx);
    await expect(runSubscriberUpdate(parseSubscriberUpdate('sub_0001', { topics: 'cantieri,scuola' }), ctx)).rejects.toThrow(
      /left topic scuola on purpose .* canale subscribers resubscribe sub_0001 --topic scuola/,
    );
  });

  it('resubscribe needs --yes in a pipe', async () => {
    const { ctx } = contextFor(home);
    await runSubscriberUnsubscribe({ ref: 'sub_0001' }, ctx);
    await expect(runSubscriberResubscribe({ ref: 'sub_0001' }, ctx)).rejects.toMatchObject({ code: 'CONFIRMATION_NEEDED', exit: 'usage' });
  });

  it('resubscribe asks on a terminal, and a yes records it in the history', async () => {
    const first = contextFor(home);
    await runSubscriberUnsubscribe({ ref: 'sub_0001', note: 'telefonata' }, first.ctx);
    const tty = contextFor(home, { tty: true, answers: [true] });
    await runSubscriberResubscribe({ ref: 'sub_0001', note: 'nuovo modulo' }, tty.ctx);
    expect(tty.asked).toEqual(["Resubscribe sub_0001 (Maria Rossi) to their topics cantieri, scuola? This overrides the citizen's opt-out"]);
    const shown = contextFor(home);
    await runSubscriberShow('sub_0001', { json: true }, shown.ctx);
    expect(JSON.parse(shown.stdout.text)).toMatchObject({
      status: 'active',
      history: [
        { action: 'unsubscribed', source: 'cli', note: 'telefonata' },
        { action: 'resubscribed', source: 'cli', note: 'nuovo modulo' },
      ],
    });
  });
});

describe('subscribers resubscribe without --topic, after a topic was left on its own', () => {
  it('asks about exactly what it does: the topics they follow come back, the one they left stays left', async () => {
    const first = contextFor(home);
    await runSubscriberUnsubscribe({ ref: 'sub_0001', topic: 'scuola' }, first.ctx);
    await runSubscriberUnsubscribe({ ref: 'sub_0001' }, first.ctx);
    const tty = contextFor(home, { tty: true, answers: [true] });
    await runSubscriberResubscribe({ ref: 'sub_0001' }, tty.ctx);
    expect(tty.asked).toEqual([
      "Resubscribe sub_0001 (Maria Rossi) to their topics cantieri — not scuola, which they left one by one (for those: --topic scuola)? This overrides the citizen's opt-out",
    ]);
    const shown = contextFor(home);
    await runSubscriberShow('sub_0001', { json: true }, shown.ctx);
    expect(JSON.parse(shown.stdout.text)).toMatchObject({ status: 'active', topics: ['cantieri'], optedOutTopics: ['scuola'] });

    const again = contextFor(home, { yes: true });
    await runSubscriberResubscribe({ ref: 'sub_0001', topic: 'scuola' }, again.ctx);
    const after = contextFor(home);
    await runSubscriberShow('sub_0001', { json: true }, after.ctx);
    expect(JSON.parse(after.stdout.text)).toMatchObject({ status: 'active', topics: ['cantieri', 'scuola'] });
  });
});

describe('subscribers forget', () => {
  it('a "no" at the prompt changes nothing', async () => {
    const tty = contextFor(home, { tty: true, answers: [false] });
    await expect(runSubscriberForget('333 123 4567', tty.ctx)).rejects.toMatchObject({ code: 'CANCELLED' });
    const { ctx, stdout } = contextFor(home);
    await runSubscriberCount(query(), ctx);
    expect(stdout.text).toBe('2\n');
  });

  it('with --yes removes the subscriber', async () => {
    const { ctx, stderr } = contextFor(home, { yes: true });
    await runSubscriberForget('333 123 4567', ctx);
    expect(stderr.text).toBe('✓ forgot sub_0001: removed from db.json\n');
    const list = contextFor(home);
    await runSubscriberList(query({ json: true }), list.ctx);
    expect(list.stdout.text).not.toMatch(/Maria|3331234567/);
  });
});

describe('subscribers export', () => {
  it("writes CSV with topics joined by | and one column per attribute, the phone as '+39… (safe in a spreadsheet)", async () => {
    const { ctx, stdout } = contextFor(home);
    await runSubscriberExport(parseSubscriberExport({}), ctx);
    const [header, maria] = stdout.text.split('\r\n');
    expect(header).toBe('id,name,phone,whatsapp_user_id,email,channel,topics,status,opted_out_topics,whatsapp_unreachable,email_bounced,consent_source,consent_at,consent_note,created_at,updated_at,municipio');
    expect(maria).toBe("sub_0001,Maria Rossi,'+393331234567,,,whatsapp,cantieri|scuola,active,,,,cli,2026-11-28T09:00:00.000Z,,2026-11-28T09:00:00.000Z,2026-11-28T09:00:00.000Z,I");
  });

  it('chooses JSON from the file name and refuses unknown formats', () => {
    expect(parseSubscriberExport({ out: 'iscritti.JSON' }).format).toBe('json');
    expect(() => parseSubscriberExport({ format: 'xlsx' })).toThrow(/--format "xlsx" is not csv or json/);
  });
});
