import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureHome, homePaths, type HomePaths } from '../../../src/adapters/home.js';
import { homePersistence } from '../../../src/adapters/home-persistence.js';
import { openDatabase } from '../../../src/adapters/postgres/database.js';
import { requireSchema } from '../../../src/adapters/postgres/migrations.js';
import { importHome, type ImportHomeRequest } from '../../../src/adapters/postgres/pg-import-home.js';
import { pgPersistence } from '../../../src/adapters/postgres/pg-persistence.js';
import type { Persistence } from '../../../src/core/ports.js';
import type { Subscriber } from '../../../src/core/subscriber.js';
import { aSubscriber } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-deps.js';
import { usePostgres } from '../../support/postgres.js';
import { sandboxTemplates } from '../../support/sandbox-templates.js';
import { aCampaign, aList } from '../../ports/campaign-builders.js';
import { THIS_PROCESS } from '../../ports/ports-under-test.js';
import { aSchedule } from '../../ports/schedule-store.contract.js';

const pg = usePostgres();
const dirs: string[] = [];
const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const clock = new FakeClock();

async function aHome(): Promise<{ paths: HomePaths; home: Persistence }> {
  const dir = await mkdtemp(join(tmpdir(), 'canale-import-home-'));
  dirs.push(dir);
  const paths = homePaths(join(dir, 'home'));
  await ensureHome(paths);
  const home = homePersistence(paths, { clock, owner: THIS_PROCESS });
  closing.push(() => home.events.close());
  return { paths, home };
}

async function database(url: string): Promise<Persistence> {
  const ports = await pgPersistence(url, homePaths(join(tmpdir(), 'canale-none')), { clock, owner: THIS_PROCESS });
  closing.push(async () => ports.close?.());
  return ports;
}

function request(url: string, paths: HomePaths, overrides: Partial<ImportHomeRequest> = {}): ImportHomeRequest {
  return { url, source: paths, paths, clock, owner: THIS_PROCESS, confirm: async () => undefined, progress: () => undefined, ...overrides };
}

const MARIA = aSubscriber({
  name: 'Maria Rossi',
  whatsappUserId: 'IT.1234567890',
  attributes: { municipio: 'III', zona: 'nord' },
  history: [{ at: '2026-03-01T10:00:00.000Z', action: 'topic-left', topic: 'eventi' as never, source: 'whatsapp:wamid.1' }],
  optedOutTopics: ['eventi' as never],
});
const ANNA = aSubscriber({ name: 'Anna Bianchi', phone: undefined, channel: 'email', status: 'unsubscribed', topics: ['cantieri', 'scuola'] });
const GINO = aSubscriber({ name: 'Gino' });
const SCHEDULE = aSchedule('sch_a');

/** A home with some of everything, torn last lines included, and its change log not folded yet. */
async function aFullHome(): Promise<{ paths: HomePaths; home: Persistence }> {
  const made = await aHome();
  const { paths, home } = made;
  await home.subscribers.transaction({}, (tx) => {
    tx.putTopic({ id: 'quartiere' as never, label: 'Quartiere' });
    tx.removeTopic('sociale' as never);
    tx.setTemplates(sandboxTemplates());
    for (const s of [MARIA, ANNA]) tx.insert(s);
  });
  // a small change: appended to db.changes.jsonl, which the import reads applied
  await home.subscribers.transaction({ ids: [MARIA.id] }, (tx) => {
    tx.insert(GINO);
    tx.replace({ ...(tx.findById(MARIA.id) as Subscriber), name: 'Maria Rossi Verdi' });
  });
  expect((await stat(`${paths.db.replace(/\.json$/, '')}.changes.jsonl`)).size).toBeGreaterThan(0);

  const campaign = aCampaign({ id: 'cmp_a', recipients: 3, channels: ['whatsapp', 'email'] });
  await home.campaigns.create(campaign, aList(`${MARIA.id}`, `${ANNA.id}:email`, `${GINO.id}`));
  const journal = await home.campaigns.openJournal(campaign);
  await journal.inFlight(0);
  journal.sent(0, 'wamid.A');
  await journal.inFlight(2);
  journal.failed(2, { kind: 'recipient', code: 'WHATSAPP_UNDELIVERABLE', reason: 'not on WhatsApp' });
  await journal.close();
  const dir = join(paths.home, 'campaigns', 'cmp_a');
  await appendFile(join(dir, 'journal.jsonl'), '{"i":1,"s":"in-fl');
  await writeFile(join(dir, 'dropped.jsonl'), '{"i":1}\n{"i":2');
  await home.campaigns.reportTrouble('cmp_a', { kind: 'fatal', code: 'WHATSAPP_PAYMENT', reason: 'the payment method failed' }, '2026-11-28T10:00:00.000Z');
  // damaged: a record that is not one, and a list shorter than its record says
  await mkdir(join(paths.home, 'campaigns', 'cmp_bad'), { recursive: true });
  await writeFile(join(paths.home, 'campaigns', 'cmp_bad', 'campaign.json'), '{"version":1,');
  await home.campaigns.create(aCampaign({ id: 'cmp_short', recipients: 2 }), aList(GINO.id, MARIA.id));
  await writeFile(join(paths.home, 'campaigns', 'cmp_short', 'recipients.jsonl'), `${JSON.stringify([GINO.id, 'whatsapp'])}\n`);

  await home.events.record('2026-11-28T09:01:00.000Z', { entry: [{ id: 'waba', changes: [] }] });
  await home.events.record('2026-11-28T09:02:00.000Z', { text: 'è già qui — “STOP”' });
  await home.events.recordPage('2026-11-28T09:03:00.000Z', { unsubscribe: { subscriberId: ANNA.id, source: 'email:one-click' } });
  const first = (await home.events.readFrom(0)).lines[1]?.offset ?? 0;
  await home.events.saveCursor({ offset: first, lines: 1, waiting: [0], waitingReceipts: 1, batches: 3, storeWrites: 2 });
  await appendFile(join(paths.home, 'webhooks', 'events.jsonl'), '\n{"at":"2026-11-28T09:04:00.000Z","pay');
  await home.events.appendOptOuts([
    { subscriberId: ANNA.id, at: '2026-11-28T09:03:00.000Z' },
    { phone: GINO.phone as string, topic: 'cantieri', at: '2026-11-28T09:05:00.000Z' },
    { userId: 'IT.999', isMarketingOnly: true, at: '2026-11-28T09:06:00.000Z' },
  ]);
  await appendFile(join(paths.home, 'optouts.jsonl'), '{"at":"2026-11-28T09:07');
  const streaks = await home.events.streaks();
  await streaks.note(GINO.id, true);
  await streaks.note(GINO.id, true);
  await home.schedules.update((schedules) => ({ schedules: [...schedules, SCHEDULE], result: undefined }));
  return made;
}

const everyone = async (ports: Persistence): Promise<Subscriber[]> => {
  const all: Subscriber[] = [];
  await ports.subscribers.scan(undefined, (s) => all.push(s));
  return all;
};

/** The end of the last whole line of a file: where the home's readers stop. */
const wholeEnd = async (path: string): Promise<number> => (await readFile(path)).lastIndexOf(10) + 1;

describe('db import-home: a JSON home copied into an empty database', () => {
  it('copies everything, each entry of the feeds at its byte offset, the change log applied, damaged campaigns named', async () => {
    const { paths, home } = await aFullHome();
    const url = await pg.database();
    const outcome = await importHome(request(url, paths));
    const db = await database(url);

    expect(await everyone(db)).toEqual(await everyone(home));
    expect((await everyone(db)).map((s) => s.name)).toEqual(['Maria Rossi Verdi', 'Anna Bianchi', 'Gino']);
    expect(await db.subscribers.topics()).toEqual(await home.subscribers.topics());
    expect(await db.subscribers.templates()).toEqual(sandboxTemplates());

    const campaign = await home.campaigns.load('cmp_a');
    expect((await db.campaigns.scan()).campaigns).toEqual([campaign]);
    expect(await db.campaigns.state(campaign)).toEqual(await home.campaigns.state(campaign));
    expect(await db.campaigns.lastTrouble('cmp_a')).toEqual(await home.campaigns.lastTrouble('cmp_a'));
    const dropped = await db.campaigns.watchDropped('cmp_a');
    expect([...dropped.positions]).toEqual([1]);
    await dropped.close();
    expect(outcome.damaged.map((d) => d.id)).toEqual(['cmp_bad', 'cmp_short']);
    expect(outcome.damaged[1]?.problem).toContain('has 1 recipient(s), its record says 2');

    const inbox = join(paths.home, 'webhooks', 'events.jsonl');
    expect(await db.events.readFrom(0)).toEqual(await home.events.readFrom(0).then((r) => ({ ...r, size: r.end })));
    expect(await db.events.size()).toBe(await wholeEnd(inbox));
    expect(await db.events.cursor()).toEqual(await home.events.cursor());
    const cursor = await db.events.cursor();
    expect(await db.events.readFrom(cursor.offset)).toEqual(await home.events.readFrom(cursor.offset).then((r) => ({ ...r, size: r.end })));
    expect(await db.events.countFrom(cursor.offset)).toBe(2);
    expect(await db.events.optOutMark()).toBe(await wholeEnd(join(paths.home, 'optouts.jsonl')));
    const [fromDb, fromHome] = [await db.events.watchOptOuts(0), await home.events.watchOptOuts(0)];
    for (const s of [MARIA, ANNA, GINO, { ...GINO, phone: undefined, whatsappUserId: 'IT.999' }]) {
      for (const [topics, isMarketing] of [[['cantieri'], false], [['cantieri'], true], [['scuola'], false]] as const) {
        expect(fromDb.hasLeft(s, topics, isMarketing)).toBe(fromHome.hasLeft(s, topics, isMarketing));
      }
    }
    await Promise.all([fromDb.close(), fromHome.close()]);
    expect(fromDb.hasLeft(ANNA, ['scuola'])).toBe(true);
    // the next entry of the database's inbox goes where the home's next line would have
    await db.events.record('2026-11-28T11:00:00.000Z', { next: true });
    expect((await db.events.readFrom(await wholeEnd(inbox))).lines[0]?.offset).toBe(await wholeEnd(inbox));
    expect(await (await db.events.streaks()).note(GINO.id, true)).toBe(3);
    expect(await db.schedules.list()).toEqual([SCHEDULE]);

    expect(outcome).toMatchObject({
      home: paths.home,
      subscribers: 3,
      topics: 7,
      templates: sandboxTemplates().length,
      campaigns: { copied: 1, recipients: 3, journalLines: 4, dropped: 1, trouble: 1 },
      inbox: { entries: 3, cursor },
      optOuts: 3,
      failureStreaks: 1,
      schedules: 1,
      warnings: [],
    });
    expect(outcome.startedOver).toBeUndefined();
  });

  it('refuses a database that holds data, naming it; a new one (default topics, empty feeds) is taken', async () => {
    const { paths, home } = await aHome();
    await home.subscribers.transaction({}, (tx) => void tx.insert(aSubscriber()));
    const url = await pg.database();
    const db = await database(url);
    await db.subscribers.transaction({}, (tx) => void tx.insert(aSubscriber()));
    await db.events.appendOptOuts([{ phone: '+393330000000', at: '2026-11-28T09:00:00.000Z' }]);
    await expect(importHome(request(url, paths))).rejects.toMatchObject({ code: 'DATABASE_NOT_EMPTY', message: expect.stringContaining('already holds 1 subscriber(s), 1 opt-out feed line(s) — nothing was copied') });
    expect(await db.subscribers.count()).toBe(1);

    const fresh = await pg.database();
    await expect(importHome(request(fresh, paths))).resolves.toMatchObject({ subscribers: 1 });
    await expect(importHome(request(fresh, paths))).rejects.toMatchObject({ code: 'DATABASE_NOT_EMPTY' });
  });

  it('leaves the database refused by every command when it stops mid-way; run again, it starts over and finishes', async () => {
    const { paths, home } = await aFullHome();
    const url = await pg.database();
    const other = openDatabase(url, { max: 1 });
    closing.push(() => other.end());
    // another hand puts in a campaign of the same id once the database was found empty: after the subscribers, the
    // campaigns' copy fails
    const confirm = async () => void (await other`insert into canale_campaigns (id, record) values ('cmp_a', '{}')`);
    await expect(importHome(request(url, paths, { confirm }))).rejects.toMatchObject({
      code: 'IMPORT_UNFINISHED',
      message: expect.stringContaining('campaign cmp_a already exists'),
    });
    expect(await other`select count(*)::int as n from canale_subscribers`).toEqual([{ n: 3 }]);
    await expect(requireSchema(other, 'db')).rejects.toMatchObject({
      code: 'DATABASE_IMPORTING',
      exit: 'failed',
      message: `a db import-home from ${paths.home} started at ${clock.now().toISOString()} did not finish — run it again: it starts over (canale db import-home ${paths.home} --yes); until then no canale command uses the database at db`,
    });
    await expect(pgPersistence(url, paths, { clock })).rejects.toMatchObject({ code: 'DATABASE_IMPORTING' });

    const again = await importHome(request(url, paths));
    expect(again.startedOver).toEqual({ home: paths.home, startedAt: clock.now().toISOString() });
    const db = await database(url);
    expect(await everyone(db)).toEqual(await everyone(home));
    expect((await db.campaigns.scan()).campaigns.map((c) => c.id)).toEqual(['cmp_a']);
    expect(await db.events.readFrom(0)).toEqual(await home.events.readFrom(0).then((r) => ({ ...r, size: r.end })));
    expect(await db.events.optOutMark()).toBe(await wholeEnd(join(paths.home, 'optouts.jsonl')));
  });

  it('while it copies: other commands are told it is under way (busy), a second import is refused', async () => {
    const { paths } = await aFullHome();
    const elsewhere = await aHome();
    const url = await pg.database();
    const other = openDatabase(url, { max: 2 });
    closing.push(() => other.end());
    // the subscriber writers' lock, held elsewhere: the import waits at its subscribers, its mark committed
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked: () => void = () => undefined;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = other.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('canale'), hashtext('subscribers'))`;
      locked();
      await released;
    });
    await isLocked;
    let marked: () => void = () => undefined;
    const isMarked = new Promise<void>((resolve) => (marked = resolve));
    const running = importHome(request(url, paths, { progress: (line) => line.startsWith('copying:') && marked() }));
    try {
      await isMarked;
      await expect(requireSchema(other, 'db')).rejects.toMatchObject({ code: 'DATABASE_IMPORTING', exit: 'busy', message: expect.stringContaining(`a db import-home from ${paths.home} is copying it into the database at db now`) });
      await expect(importHome(request(url, elsewhere.paths))).rejects.toMatchObject({ code: 'IMPORT_BUSY', exit: 'busy', message: expect.stringContaining(`another db import-home is copying a home into this database (process ${THIS_PROCESS.pid} on `) });
      await expect(importHome(request(url, paths))).rejects.toMatchObject({ code: 'IMPORT_BUSY', exit: 'busy', message: expect.stringContaining(`another db import-home is copying the home at ${paths.home}`) });
    } finally {
      release();
      await holding;
    }
    await expect(running).resolves.toMatchObject({ subscribers: 3 });
    await expect(requireSchema(other, 'db')).resolves.toBeUndefined();
  });

  it('refuses while a send runs from the home, naming the campaign; and a folder that is no home', async () => {
    const { paths, home } = await aHome();
    const url = await pg.database();
    await home.locks.withSendLock({ campaign: 'cmp_live' }, async () => {
      await expect(importHome(request(url, paths))).rejects.toMatchObject({ code: 'HOME_SENDING', exit: 'busy', message: expect.stringContaining('a send of campaign cmp_live is running from the home at') });
    });
    const nowhere = homePaths(join(paths.home, 'nowhere'));
    await expect(importHome(request(url, nowhere))).rejects.toMatchObject({ code: 'HOME_NOT_FOUND' });
    // nothing was written: the database takes the home afterwards
    await expect(importHome(request(url, paths))).resolves.toMatchObject({ subscribers: 0 });
  });
});
