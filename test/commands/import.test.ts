import type { StoreData } from '../../src/core/store-data.js';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSubscriberImport, runSubscriberImport, type SubscriberImportFlags } from '../../src/commands/subscribers/import.js';
import { runSubscriberUnsubscribe } from '../../src/commands/subscribers/opt-out.js';
import { StoreFile } from '../../src/adapters/store/store-file.js';
import { EXIT } from '../../src/core/errors.js';
import type { Email } from '../../src/core/email.js';
import type { E164 } from '../../src/core/phone.js';
import type { SubscriberStore } from '../../src/core/ports.js';
import { aSubscriber } from '../support/builders.js';
import { contextFor, newHome } from '../support/home.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url);
const fixture = (name: string): string => new URL(name, FIXTURES).pathname;

let home: string;
let dir: string;
beforeEach(async () => {
  home = await newHome();
  dir = dirname(home);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csv(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const options = (file: string, flags: SubscriberImportFlags = {}) => parseSubscriberImport(file, flags);
const subscribers = async () => ((await new StoreFile(join(home, 'db.json')).read()) as StoreData).subscribers;

describe('subscribers import: flags', () => {
  it.each([
    [{ encoding: 'klingon' }, /^--encoding "klingon" is not an encoding/],
    [{ delimiter: ';;' }, /^--delimiter ";;" is not a delimiter/],
    [{ map: ['Cellulare'] }, /^--map "Cellulare" is not COLUMN=FIELD/],
    [{ map: ['Cellulare=fax'] }, /^--map "Cellulare=fax": "fax" is not a field/],
    [{ mode: 'replace' }, /^--mode "replace" is not upsert or insert/],
    [{ country: 'Italia' }, /^--country "Italia" is not valid/],
    [{ errors: ' ' }, /^--errors needs a file name/],
  ])('%j is a usage error naming the flag', (flags, message) => {
    expect(() => options('x.csv', flags)).toThrow(expect.objectContaining({ exit: 'usage', message: expect.stringMatching(message) }));
  });

  it('reads the flags into options', () => {
    expect(options('x.csv', { delimiter: 'tab', encoding: 'latin1', country: 'ch', topics: 'a, b', mode: 'INSERT', map: ['A=phone'], skipInvalid: true, errors: 'e.csv' })).toMatchObject({
      file: 'x.csv',
      delimiter: '\t',
      encoding: 'windows-1252',
      country: 'CH',
      topicNames: ['a', 'b'],
      mode: 'insert',
      skipInvalid: true,
      errorsFile: 'e.csv',
      overrides: [{ column: 'A', role: { kind: 'field', field: 'phone' } }],
    });
  });
});

describe('subscribers import: in a pipe', () => {
  it('needs --yes, and says so before reading the file', async () => {
    const { ctx } = contextFor(home);
    await expect(runSubscriberImport(options(join(dir, 'missing.csv')), ctx)).rejects.toThrow(
      expect.objectContaining({ code: 'CONFIRMATION_NEEDED', exit: 'usage', message: expect.stringMatching(/re-run with --yes/) }),
    );
  });

  it('imports the Excel fixture: summary on stdout, people lines on stderr', async () => {
    const { ctx, stdout, stderr } = contextFor(home, { yes: true });
    expect(await runSubscriberImport(options(fixture('iscritti-excel.csv')), ctx)).toBe(EXIT.ok);
    expect(stdout.text).toContain('read\t10\nnew\t10\nupdated\t0\nunchanged\t0\nduplicates merged\t0\nconflicts (two people, one contact)\t0\nblocked (opted out)\t0\ninvalid (conflicts included)\t0\nwarnings\t0\n');
    expect(stderr.text).toContain('reading iscritti-excel.csv (0.0 MB, Windows-1252, delimiter ";")…');
    expect(stderr.text).toContain('✓ imported iscritti-excel.csv: 10 new, 0 updated, 0 unchanged, 0 duplicates merged, 0 blocked');
    const all = await subscribers();
    expect(all.find((s) => s.name === 'Zoë Müller')).toMatchObject({
      phone: '+393391234567',
      topics: ['emergenze'],
      attributes: { municipio: 'Municipio VIII', quartiere: 'Garbatella – Ostiense', cap: '00154' },
      consent: { source: expect.stringMatching(/^import:iscritti-excel\.csv#[0-9a-f]{12}$/), at: '2026-02-05T23:00:00.000Z' },
      createdAt: '2026-11-28T09:00:00.000Z',
    });
  });

  it('--dry-run shows the mapping and the counts, changes nothing and needs no --yes', async () => {
    const { ctx, stdout, stderr } = contextFor(home);
    await ctx.prepareHome();
    const before = await readFile(join(home, 'db.json'));
    expect(await runSubscriberImport(options(fixture('modulo-google.csv'), { dryRun: true }), ctx)).toBe(EXIT.ok);
    expect(stdout.text).toMatch(/^COLUMN\tFIELD\nInformazioni cronologiche\tconsent_at\nNome e cognome\tname\n/);
    expect(stdout.text).toContain('new\t7\n');
    expect(stdout.text).toContain('duplicates merged\t1\n');
    expect(stderr.text).toContain('dry run: nothing was changed');
    expect(await readFile(join(home, 'db.json'))).toEqual(before);
  });

  it('is all or nothing: an invalid row means exit 1, every error listed, nothing written', async () => {
    const { ctx, stdout, stderr } = contextFor(home, { yes: true });
    await ctx.prepareHome();
    const before = await readFile(join(home, 'db.json'));
    expect(await runSubscriberImport(options(fixture('iscritti-errori.csv')), ctx)).toBe(EXIT.failed);
    expect(stdout.text).toContain('LINE\tCOLUMN\tVALUE\tREASON\n3\tTelefono\t12345\tnot a valid phone number (default country IT)\n');
    expect(stdout.text).toContain('20\t(row)\t\ta quoted value starts on this line and is never closed');
    expect(stderr.text).toContain('13 of 17 rows are invalid, so nothing was imported — fix them, or import the valid rows with --skip-invalid');
    expect(await readFile(join(home, 'db.json'))).toEqual(before);
  });

  it('--skip-invalid imports the valid rows and exits 3; --json prints exactly the contract', async () => {
    const { ctx, stdout } = contextFor(home, { yes: true });
    expect(await runSubscriberImport(options(fixture('iscritti-errori.csv'), { skipInvalid: true, json: true }), ctx)).toBe(EXIT.partial);
    const report = JSON.parse(stdout.text) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['read', 'inserted', 'updated', 'unchanged', 'duplicates', 'conflicts', 'blocked', 'rejected', 'errors', 'warnings', 'columnProblems']);
    expect(report).toMatchObject({ read: 17, inserted: 3, updated: 0, unchanged: 0, duplicates: 1, conflicts: 0, blocked: 0, rejected: 13, warnings: [] });
    expect((report.errors as unknown[]).slice(0, 2)).toEqual([
      { line: 3, column: 'Telefono', value: '12345', reason: 'not a valid phone number (default country IT)' },
      { line: 4, column: 'Email', value: 'non-una-email@', reason: 'not a valid e-mail address' },
    ]);
    expect((await subscribers()).map((s) => [s.name, s.topics])).toEqual([
      ['Valeria Neri', ['cantieri', 'eventi']],
      ['Indirizzo, su due righe', ['scuola', 'eventi']],
      ['Mario "il Rosso" Verdi', ['mobilita']],
    ]);
  });

  it('--errors writes the rejected rows with a reason, and the fixed file imports', async () => {
    const source = await csv('iscritti.csv', 'Nome;Telefono;Argomenti\r\nMaria;333 123 4567;cantieri\r\nLuca;12;Scuola\r\nAnna;347 000 1111;Sport\r\n');
    const errors = join(dir, 'scartati.csv');
    const first = contextFor(home, { yes: true });
    expect(await runSubscriberImport(options(source, { skipInvalid: true, errors: errors }), first.ctx)).toBe(EXIT.partial);
    expect(first.stderr.text).toContain(`wrote the 2 rejected row(s) to ${errors}`);
    const written = await readFile(errors, 'utf8');
    expect(written).toBe(
      '\uFEFFNome;Telefono;Argomenti;import_error\r\n' +
        'Luca;12;Scuola;"Telefono ""12"": not a valid phone number (default country IT)"\r\n' +
        'Anna;347 000 1111;Sport;"Argomenti ""Sport"": unknown topic (known: scuola, cantieri, raccolta-differenziata, mobilita, eventi, sociale, emergenze; or add --create-topics)"\r\n',
    );
    expect((await stat(errors)).mode & 0o777).toBe(0o600);

    await writeFile(errors, written.replace(';12;', ';320 111 2222;').replace(';Sport;', ';Eventi;'));
    const second = contextFor(home, { yes: true });
    expect(await runSubscriberImport(options(errors, { json: true }), second.ctx)).toBe(EXIT.ok);
    expect(JSON.parse(second.stdout.text)).toMatchObject({ inserted: 2, rejected: 0 });
    expect((await subscribers()).map((s) => Object.keys(s.attributes))).toEqual([[], [], []]);
  });

  it('never re-subscribes someone who opted out, unless --allow-resubscribe', async () => {
    const file = await csv('a.csv', 'telefono,argomenti\n333 123 4567,cantieri\n');
    await runSubscriberImport(options(file), contextFor(home, { yes: true }).ctx);
    await runSubscriberUnsubscribe({ ref: '333 123 4567' }, contextFor(home).ctx);
    const again = await csv('b.csv', 'telefono,argomenti\n333 123 4567,scuola\n');

    const blocked = contextFor(home, { yes: true });
    expect(await runSubscriberImport(options(again), blocked.ctx)).toBe(EXIT.ok);
    expect(blocked.stdout.text).toContain('blocked (opted out)\t1\n');
    expect(blocked.stdout.text).toMatch(/LINE\tSUBSCRIBER\tBLOCKED BECAUSE\n2\tsub_0001\tsub_0001 unsubscribed from everything on 2026-11-28 — not re-subscribed/);
    expect((await subscribers())[0]).toMatchObject({ status: 'unsubscribed', topics: ['cantieri'] });

    const allowed = contextFor(home, { yes: true });
    expect(await runSubscriberImport(options(again, { allowResubscribe: true }), allowed.ctx)).toBe(EXIT.ok);
    expect((await subscribers())[0]).toMatchObject({ status: 'active', topics: ['cantieri', 'scuola'] });
  });

  it('--topics adds topics to every row; an unknown one is an error unless --create-topics', async () => {
    const file = await csv('a.csv', 'email,temi\nm@example.it,Verde pubblico\n');
    await expect(runSubscriberImport(options(file, { topics: 'orti' }), contextFor(home, { yes: true }).ctx)).rejects.toThrow(/^--topics "orti": unknown topic/);
    const { ctx } = contextFor(home, { yes: true });
    expect(await runSubscriberImport(options(file, { topics: 'eventi', createTopics: true }), ctx)).toBe(EXIT.ok);
    const data = (await new StoreFile(join(home, 'db.json')).read()) as StoreData;
    expect(data.topics.at(-1)).toEqual({ id: 'verde-pubblico', label: 'Verde pubblico' });
    expect(data.subscribers[0]?.topics).toEqual(['verde-pubblico', 'eventi']);
  });

  it('plans again under the lock: a clash that appeared meanwhile stops the import, nothing written', async () => {
    const file = await csv('a.csv', 'telefono,email\n333 123 4567,m@example.it\n');
    const { ctx } = contextFor(home, { yes: true });
    const ports = await ctx.ports();
    const real = ports.subscribers;
    const before = await readFile(join(home, 'db.json'));
    // another canale adds two subscribers, one with the row's phone and one with its e-mail, after the file was read
    const racing: SubscriberStore = {
      find: (key) => real.find(key),
      scan: (filter, visit) => real.scan(filter, visit),
      survey: (filter, visit) => real.survey(filter, visit),
      count: (filter) => real.count(filter),
      topics: () => real.topics(),
      templates: () => real.templates(),
      transaction: (hints, work) =>
        real.transaction(hints, (tx) => {
          tx.insert(aSubscriber({ phone: '+393331234567' as E164, email: undefined }));
          tx.insert(aSubscriber({ phone: undefined, email: 'm@example.it' as Email, channel: 'email' }));
          return work(tx);
        }),
    };
    ctx.ports = async () => ({ ...ports, subscribers: racing });
    await expect(runSubscriberImport(options(file), ctx)).rejects.toThrow(expect.objectContaining({ code: 'IMPORT_CONFLICT' }));
    expect(await readFile(join(home, 'db.json'))).toEqual(before);
  });

  it('names the file when it is not CSV, and writes nothing', async () => {
    const file = await csv('iscritti.xlsx', 'PK\u0003\u0004 rest of a zip');
    await expect(runSubscriberImport(options(file), contextFor(home, { yes: true }).ctx)).rejects.toThrow(
      expect.objectContaining({ code: 'IMPORT_NOT_CSV', message: expect.stringContaining(`${file} is a ZIP archive`) }),
    );
  });
});

describe('subscribers import: on a terminal', () => {
  it('shows the summary, then asks; "no" changes nothing', async () => {
    const { ctx, stdout, asked } = contextFor(home, { tty: true, answers: [false] });
    await expect(runSubscriberImport(options(fixture('iscritti-excel.csv')), ctx)).rejects.toThrow(/cancelled — nothing was changed/);
    expect(stdout.text).toContain('new');
    expect(asked).toEqual([`Import iscritti-excel.csv: 10 new and 0 updated subscriber(s) into ${join(home, 'db.json')}?`]);
    expect(await subscribers()).toEqual([]);
  });

  it('"yes" imports, and a large file gets a progress bar on stderr only', async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => `Cittadino ${i},+39 333 ${String(1_000_000 + i)},cittadino.numero.${i}@example.it,cantieri|scuola,Municipio ${i % 15}`);
    const file = await csv('big.csv', `nome,telefono,email,argomenti,municipio\n${rows.join('\n')}\n`);
    expect((await stat(file)).size).toBeGreaterThan(1 << 20);
    const { ctx, stdout, stderr } = contextFor(home, { tty: true, answers: [true] });
    expect(await runSubscriberImport(options(file), ctx)).toBe(EXIT.ok);
    expect(stderr.text).toMatch(/reading big\.csv .*% \| [\d.]+ of [\d.]+ MB/);
    expect(stdout.text).not.toMatch(/MB/);
    expect((await subscribers()).length).toBe(12_000);
  });
});
