import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { campaignDir, journalFile } from '../../src/adapters/campaign/campaign-files.js';
import { freezeCampaign } from '../../src/adapters/campaign/campaign-freeze.js';
import { JournalFile } from '../../src/adapters/journal/journal-file.js';
import type { Campaign, CampaignId } from '../../src/core/campaign.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import { runCli, startCli, useTempHome } from '../support/cli.js';
import { FakeClock } from '../support/fake-deps.js';
import { ReceiptStream, type Ack } from '../support/receipt-stream.js';

/**
 * `forget` while `webhook serve` takes about 1,000 receipts a second (issue 14, item 3): the event log and the
 * journal are erased where they lie, so every line the server acknowledged before, during and after each forget
 * is still there, and the forgotten citizens are nowhere.
 */
const t = useTempHome();

const COUNT = 1200;
const PER_PAYLOAD = 4;
const SECRET = 'segreto-del-carico';
const CAMPAIGN = 'cmp_carico' as CampaignId;
/** Positions of the three citizens forgotten, each in its own chunk of the stream. */
const FORGOTTEN = [10, 21, 34];

const e164Of = (i: number) => `+39333${1_000_000 + i}`;
const nameOf = (i: number) => `Persona ${String(i).padStart(4, '0')}`;
/** Fixed width, letters around the number: no id is part of another, none holds a phone number's digits. */
const wamidOf = (i: number) => `wamid.CARICO${String(i).padStart(5, '0')}Q`;
const chunkOf = (i: number) => Math.floor(i / PER_PAYLOAD);

/** 1,200 WhatsApp subscribers imported with the CLI, and a sent campaign to all of them, a message id each. */
async function prepareHome(): Promise<void> {
  const rows = ['nome;telefono;canale;argomenti', ...Array.from({ length: COUNT }, (_, i) => `${nameOf(i)};${e164Of(i)};whatsapp;cantieri`)];
  await writeFile(join(t.dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
  const imported = await t.cli('subscribers', 'import', 'iscritti.csv', '--yes');
  expect(imported.code, imported.stderr).toBe(0);
  const db = JSON.parse(await readFile(join(t.home, 'db.json'), 'utf8')) as { subscribers: Array<{ id: string; phone: string }> };
  const idOf = new Map(db.subscribers.map((s) => [s.phone, s.id]));
  const deliveries = Array.from({ length: COUNT }, (_, i) => ({ subscriberId: idOf.get(e164Of(i)) as SubscriberId, channel: 'whatsapp' as const }));
  const at = new Date().toISOString();
  const campaign: Campaign = {
    id: CAMPAIGN,
    status: 'completed',
    message: { source: 'avviso.md', topics: ['cantieri'], body: 'Via Roma chiusa' },
    query: { topics: ['cantieri'], where: [], channel: 'preferred' },
    channels: ['whatsapp'],
    transports: { whatsapp: 'cloud-api' },
    recipients: COUNT,
    plannedSkips: [],
    createdAt: at,
    startedAt: at,
    finishedAt: at,
  };
  await freezeCampaign(t.home, campaign, deliveries);
  const journal = await JournalFile.open(journalFile(campaignDir(t.home, CAMPAIGN)), new FakeClock());
  for (let i = 0; i < COUNT; i++) journal.sent(i, wamidOf(i));
  await journal.close();
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = startCli(['webhook', 'serve', '--port', '0'], { home: t.home, cwd: t.dir, env: { CANALE_WHATSAPP_APP_SECRET: SECRET } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void server.done.then((r) => reject(new Error(`webhook serve ended before listening: ${r.stderr}`)));
  });
  return {
    url,
    stop: async () => {
      server.child.kill('SIGTERM');
      const result = await server.done;
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
    },
  };
}

function jsonLines(text: string, file: string): unknown[] {
  const lines = text.split('\n');
  expect(lines.pop(), `${file} ends with a newline`).toBe('');
  const torn = lines.filter((line) => {
    try {
      JSON.parse(line);
      return false;
    } catch {
      return true;
    }
  });
  expect(torn, `${file}: lines that are not JSON`).toEqual([]);
  return lines.map((line) => JSON.parse(line) as unknown);
}

async function filesMentioning(needles: readonly string[]): Promise<string[]> {
  const entries = await readdir(t.home, { withFileTypes: true, recursive: true });
  const found: string[] = [];
  for (const file of entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))) {
    const text = (await readFile(file)).toString('utf8');
    for (const needle of needles) if (text.includes(needle)) found.push(`${file}: ${needle}`);
  }
  return found;
}

interface Status {
  readonly id: string;
  readonly status: string;
  readonly recipient_id: string;
}

const statusesOf = (line: unknown): Status[] =>
  (line as { payload: { entry: Array<{ changes: Array<{ value: { statuses: Status[] } }> }> } }).payload.entry.flatMap((e) => e.changes.flatMap((c) => c.value.statuses));
const keyOf = (s: { id?: string; wamid?: string; status: string; recipient_id?: string; recipient?: string }) => `${s.id ?? s.wamid}|${s.status}|${s.recipient_id ?? s.recipient}`;
const isBlank = (text: string) => /^\*+$/.test(text);

describe('subscribers forget while webhook serve takes 1,000 receipts a second', () => {
  it('keeps every acknowledged line of the event log and the journal, and erases the forgotten citizens from both', async () => {
    await prepareHome();
    const server = await startServer();
    const chunks = Array.from({ length: COUNT / PER_PAYLOAD }, (_, k) =>
      Array.from({ length: PER_PAYLOAD }, (_, j) => ({ wamid: wamidOf(k * PER_PAYLOAD + j), recipient: e164Of(k * PER_PAYLOAD + j).slice(1) })),
    );
    const stream = new ReceiptStream({
      url: `${server.url}/webhooks/whatsapp`,
      secret: SECRET,
      campaignId: CAMPAIGN,
      chunks,
      rate: 1000,
      concurrency: 16,
      reserve: 50,
      noRedelivery: new Set(FORGOTTEN.map(chunkOf)),
    });
    const forgets: Array<{ start: number; end: number; inFlight: number; code: number | null; stderr: string }> = [];
    try {
      // every receipt for the three citizens is answered before the first forget starts: none arrives after
      await stream.whenChunksAnswered(FORGOTTEN.map(chunkOf));
      for (const i of FORGOTTEN) {
        await stream.whenPostLeaves();
        const start = performance.now();
        const inFlight = stream.inFlight;
        const result = await runCli(['subscribers', 'forget', e164Of(i), '--yes'], { home: t.home, cwd: t.dir });
        forgets.push({ start, end: performance.now(), inFlight, code: result.code, stderr: result.stderr });
      }
      stream.release();
      await stream.done;
    } finally {
      await stream.close();
      await server.stop();
    }

    const acks: Ack[] = stream.acks;
    expect(acks.filter((a) => a.status !== 'HTTP 200').map((a) => a.status), 'posts not answered 200').toEqual([]);
    for (const [k, f] of forgets.entries()) {
      expect(f.code, `forget ${k + 1}: ${f.stderr}`).toBe(0);
      expect(f.inFlight, `forget ${k + 1} started while posts were in flight`).toBeGreaterThan(0);
      expect(acks.filter((a) => a.at < f.start).length, `answered before forget ${k + 1}`).toBeGreaterThan(0);
      expect(acks.filter((a) => a.at > f.start && a.at < f.end).length, `answered during forget ${k + 1}`).toBeGreaterThan(0);
      expect(acks.filter((a) => a.at > f.end).length, `answered after forget ${k + 1}`).toBeGreaterThan(0);
    }
    const forgottenWamids = new Set(FORGOTTEN.map(wamidOf));

    // the event log: one line per answered payload, each of its statuses there, the forgotten citizens' blanked
    const events = jsonLines(await readFile(join(t.home, 'webhooks', 'events.jsonl'), 'utf8'), 'events.jsonl');
    expect(events.length, 'one line per answered payload').toBe(acks.length);
    const logged = events.flatMap(statusesOf);
    const blanked = logged.filter((s) => isBlank(s.id));
    expect(blanked.length, 'statuses of the forgotten citizens, blanked').toBe(FORGOTTEN.length * 2);
    expect(blanked.every((s) => isBlank(s.recipient_id))).toBe(true);
    const expected = acks.flatMap((a) => a.post.receipts).filter((r) => !forgottenWamids.has(r.wamid)).map(keyOf).sort();
    expect(logged.filter((s) => !isBlank(s.id)).map(keyOf).sort(), 'every acknowledged status in the event log').toEqual(expected);

    // the journal: each position sent, delivered and read, exactly once; the forgotten ones without their message id
    const journal = jsonLines(await readFile(journalFile(campaignDir(t.home, CAMPAIGN)), 'utf8'), 'journal.jsonl') as Array<{ i: number; s: string; id?: string }>;
    expect(journal.length, 'journal records').toBe(COUNT * 3);
    const byPosition = new Map<number, string[]>();
    for (const record of journal) byPosition.set(record.i, [...(byPosition.get(record.i) ?? []), record.s]);
    const wrong = [...Array(COUNT).keys()].filter((i) => (byPosition.get(i) ?? []).sort().join() !== 'delivered,read,sent');
    expect(wrong, 'positions without exactly one sent, delivered and read').toEqual([]);
    const ids = new Map(journal.filter((r) => r.s === 'sent').map((r) => [r.i, r.id as string]));
    for (let i = 0; i < COUNT; i++) {
      if (FORGOTTEN.includes(i)) expect(isBlank(ids.get(i) as string), `position ${i}'s message id`).toBe(true);
      else if (ids.get(i) !== wamidOf(i)) expect(ids.get(i), `position ${i}'s message id`).toBe(wamidOf(i));
    }

    // nowhere in the home: their number in any form, their name, their message id
    const needles = FORGOTTEN.flatMap((i) => [e164Of(i), e164Of(i).slice(1), e164Of(i).slice(3), nameOf(i), wamidOf(i)]);
    expect(await filesMentioning(needles)).toEqual([]);
    const neighbour = FORGOTTEN[0] as number + 1;
    expect((await filesMentioning([e164Of(neighbour).slice(1), wamidOf(neighbour)])).length, 'the neighbour stays').toBeGreaterThanOrEqual(3);
  }, 60_000);
});
