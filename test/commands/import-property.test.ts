import type { StoreData } from '../../src/core/store-data.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreFile } from '../../src/adapters/store/store-file.js';
import { parseSubscriberExport, runSubscriberExport } from '../../src/commands/subscribers/export.js';
import { parseSubscriberImport, runSubscriberImport } from '../../src/commands/subscribers/import.js';
import type { Email } from '../../src/core/email.js';
import type { E164 } from '../../src/core/phone.js';
import type { Subscriber, SubscriberId } from '../../src/core/subscriber.js';
import { DEFAULT_TOPICS, type TopicId } from '../../src/core/topic.js';
import { main } from '../../src/main.js';
import { fakeDeps } from '../support/fake-deps.js';
import { contextFor, storeOf } from '../support/home.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-import-prop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Text as people type it into a spreadsheet: accents, quotes, every delimiter, the euro sign, the characters a
// spreadsheet takes for a formula (often first: the export writes those cells with a ' before them, the import drops
// it); trimmed and single-spaced, as canale keeps names and attribute values.
const CHARS = [...'aeiouAEIOUàèéìòùÀÉÌÒÙçñßøÆœ€ ,;|"\'-.()/&#0123456789=+@'];
const FORMULA_STARTS = ['', '', '=', '+', '-', '@', "'", "'=", "'+", "''-", "'@", '=HYPERLINK("http://x.example";"clic")', "'Nd", "D'"];
const text = (max: number) =>
  fc
    .tuple(fc.constantFrom(...FORMULA_STARTS), fc.string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: max }))
    .map(([start, rest]) => `${start}${rest}`.replace(/\s+/g, ' ').trim())
    .filter((s) => s !== '');
const topicIds = DEFAULT_TOPICS.map((t) => t.id);
const isoTime = fc.date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
const MOBILE_PREFIXES = ['320', '328', '329', '330', '333', '338', '339', '340', '347', '348', '349', '366', '380', '392'];

/** A subscriber as the store holds them, with phone and e-mail unique through its index. */
const aSubscriberAt = (index: number) =>
  fc
    .record({
      name: fc.option(text(30), { nil: undefined }),
      contact: fc.constantFrom('phone', 'email', 'both'),
      prefix: fc.constantFrom(...MOBILE_PREFIXES),
      local: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,6}(\.[a-z0-9]{1,4})?$/),
      domain: fc.constantFrom('example.it', 'comune.roma.it', 'posta.example.org'),
      emailChannel: fc.boolean(),
      topics: fc.subarray(topicIds),
      optedOut: fc.subarray(topicIds),
      status: fc.constantFrom('active', 'unsubscribed'),
      whatsappUnreachable: fc.boolean(),
      emailBounced: fc.boolean(),
      attributes: fc.dictionary(fc.constantFrom('municipio', 'quartiere', 'cap', 'lingua', 'cognome', 'telefono', 'note_ufficio'), text(20), { maxKeys: 4 }),
      consentSource: fc.oneof(fc.constantFrom('cli', 'import:iscritti.csv#0123456789ab'), text(30)),
      consentNote: fc.option(text(40), { nil: undefined }),
      consentAt: isoTime,
      createdAt: isoTime,
      updatedAt: isoTime,
    })
    .map((r): Subscriber => {
      const phone = r.contact === 'email' ? undefined : (`+39${r.prefix}${String(1_000_000 + index * 7_919).slice(-7)}` as E164);
      const email = r.contact === 'phone' ? undefined : (`${r.local}${index}@${r.domain}` as Email);
      const optedOut = r.optedOut.filter((t) => !r.topics.includes(t));
      return {
        id: `sub_${String(index).padStart(4, '0')}` as SubscriberId,
        ...(r.name === undefined ? {} : { name: r.name }),
        ...(phone === undefined ? {} : { phone }),
        ...(email === undefined ? {} : { email }),
        topics: r.topics as TopicId[],
        channel: phone === undefined || (email !== undefined && r.emailChannel) ? 'email' : 'whatsapp',
        status: r.status,
        ...(r.whatsappUnreachable ? { whatsappUnreachable: true } : {}),
        ...(r.emailBounced ? { emailBounced: true } : {}),
        attributes: r.attributes,
        consent: { source: r.consentSource, at: r.consentAt, ...(r.consentNote === undefined ? {} : { note: r.consentNote }) },
        ...(optedOut.length > 0 ? { optedOutTopics: optedOut as TopicId[] } : {}),
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      };
    });

const someSubscribers = fc.integer({ min: 0, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => aSubscriberAt(i + 1))));

let run = 0;
async function homeWith(subscribers: readonly Subscriber[]): Promise<string> {
  const home = join(dir, `home-${++run}`);
  const { ctx } = contextFor(home);
  await storeOf(ctx).update((data) => {
    data.subscribers.push(...subscribers);
  });
  return home;
}

describe('export → import', () => {
  it('gives back the same subscribers in an empty home (all exported fields; history is not exported)', async () => {
    await fc.assert(
      fc.asyncProperty(someSubscribers, async (subscribers) => {
        const from = await homeWith(subscribers);
        const file = join(dir, `export-${run}.csv`);
        await runSubscriberExport(parseSubscriberExport({ out: file }), contextFor(from).ctx);
        // no cell a spreadsheet would run as a formula: phones and such values are written '+39…, '=…
        const cells = (parse(await readFile(file, 'utf8'), { relax_column_count: true }) as string[][]).flat();
        expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
        const into = join(dir, `home-${++run}`);
        const code = await runSubscriberImport(parseSubscriberImport(file, {}), contextFor(into, { yes: true }).ctx);
        expect(code).toBe(0);
        const back = ((await new StoreFile(join(into, 'db.json')).read()) as StoreData).subscribers;
        // deep equality: the same records with the same values; attribute keys may come back in another order
        expect(back).toEqual(subscribers);

        // and importing the export again changes nothing
        const again = contextFor(into, { yes: true });
        expect(await runSubscriberImport(parseSubscriberImport(file, { json: true }), again.ctx)).toBe(0);
        expect(JSON.parse(again.stdout.text)).toMatchObject({ inserted: 0, updated: 0, unchanged: subscribers.length });
      }),
      { numRuns: 25 },
    );
  });
});

describe('whatever the file holds', () => {
  let home = '';
  beforeAll(async () => {
    home = await homeWith([]);
  });

  /** Runs `canale import FILE` through main: a crash would be exit 1 with "internal error" on stderr. */
  async function importBytes(bytes: Buffer | string, flags: readonly string[]): Promise<void> {
    const file = join(dir, `random-${++run}.csv`);
    await writeFile(file, bytes);
    const fake = fakeDeps({ home });
    const code = await main(['import', file, '--yes', '--json', ...flags], fake.deps);
    expect(fake.stderr.text).not.toMatch(/internal error/);
    expect([0, 1, 3]).toContain(code);
    if (fake.stdout.text !== '') {
      const report = JSON.parse(fake.stdout.text) as Record<string, number>;
      expect(report.read).toBe(report.inserted! + report.updated! + report.unchanged! + report.duplicates! + report.blocked! + report.rejected!);
      expect(code).toBe(report.rejected === 0 ? 0 : flags.includes('--skip-invalid') ? 3 : 1);
    } else {
      expect(code).toBe(1);
      expect(fake.stderr.text).toMatch(new RegExp(`(^|\n)error: .*${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
  }

  it('random bytes give a clear error or a clean result, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.constantFrom([], ['--skip-invalid'], ['--dry-run']), async (bytes, flags) => {
        await importBytes(Buffer.from(bytes), flags);
      }),
      { numRuns: 60 },
    );
  });

  const cell = fc.oneof(
    fc.constantFrom('', ' ', '333 123 4567', '+39 347 000 1111', '12', 'm@example.it', 'x@', 'cantieri', 'Scuola|Eventi', 'sì', 'no', '28/11/2026', 'whatsapp', 'email', '"', '""', '\n', '\r\n', ';', ','),
    fc.string({ maxLength: 12 }),
  );
  const header = fc.array(fc.constantFrom('nome', 'Telefono', 'email', 'argomenti', 'canale', 'consenso', 'data consenso', 'municipio', '', 'Cell.', 'E-mail'), { minLength: 1, maxLength: 7 });

  it('random CSV gives a clear error or a clean result, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 12 }),
        fc.constantFrom(',', ';', '\t'),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
        fc.constantFrom([], ['--skip-invalid'], ['--dry-run'], ['--mode', 'insert'], ['--create-topics', '--skip-invalid']),
        async (head, rows, delimiter, eol, quoteAll, flags) => {
          const quote = (c: string) => (quoteAll || /[",;\t\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
          const text = [head, ...rows].map((r) => r.map(quote).join(delimiter)).join(eol);
          await importBytes(text, flags);
        },
      ),
      { numRuns: 80 },
    );
  });
});
