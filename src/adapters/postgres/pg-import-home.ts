import { access } from 'node:fs/promises';
import { CanaleError, isCanaleError } from '../../core/errors.js';
import type { Clock, DamagedCampaign, EventCursor, Persistence } from '../../core/ports.js';
import type { SignupBook } from '../../core/signup/pending-signups.js';
import type { Schedule } from '../../core/schedule/schedule.js';
import type { Subscriber } from '../../core/subscriber.js';
import type { Template } from '../../core/template.js';
import type { Topic } from '../../core/topic.js';
import type { LockOwner } from '../fs/lock-holder.js';
import { homePersistence } from '../home-persistence.js';
import type { HomePaths } from '../home.js';
import { databaseError, openDatabase, shownUrl, type Sql } from './database.js';
import { requireSchemaVersion } from './migrations.js';
import { copyCampaigns, type CampaignsCopied } from './pg-import-campaigns.js';
import { copyEvents } from './pg-import-events.js';
import { IMPORT_LOCK, readImportMarker, type ImportMarker } from './pg-import-marker.js';
import { heldData, markImport, startOver, unmarkImport } from './pg-import-tables.js';
import { pgPorts } from './pg-persistence.js';

/** What `db import-home` is given: the home to copy, this command's home and database, and how to ask and tell. */
export interface ImportHomeRequest {
  readonly url: string;
  /** The home whose files are copied. */
  readonly source: HomePaths;
  /** This command's home (the database's ports keep schedule.env there, as every command on the database does). */
  readonly paths: HomePaths;
  readonly clock: Clock;
  readonly owner?: LockOwner;
  /** Asked once the home is read, before anything is written; throws to stop with nothing done. */
  readonly confirm: (plan: ImportPlan) => Promise<void>;
  /** Progress for a person (stderr). */
  readonly progress: (line: string) => void;
}

/** What is about to be copied, for the question: and the earlier import whose copy is removed first, if any. */
export interface ImportPlan {
  readonly home: string;
  readonly url: string;
  readonly subscribers: number;
  readonly campaigns: number;
  readonly unfinished?: ImportMarker;
}

/** What `db import-home` copied. */
export interface ImportOutcome {
  readonly home: string;
  readonly url: string;
  /** The earlier import that had not finished, whose copy was removed first. */
  readonly startedOver?: { readonly home: string; readonly startedAt: string };
  readonly subscribers: number;
  readonly topics: number;
  readonly templates: number;
  readonly campaigns: Omit<CampaignsCopied, 'damaged'>;
  readonly damaged: readonly DamagedCampaign[];
  readonly inbox: { readonly entries: number; readonly cursor: EventCursor };
  readonly optOuts: number;
  readonly failureStreaks: number;
  readonly schedules: number;
  /** Web sign-ups still waiting for their confirmation. */
  readonly signups: number;
  readonly warnings: readonly string[];
}

/** The home's subscriber book, read whole before anything is written (a damaged db.json stops the import there). */
interface HomeBook {
  readonly subscribers: Subscriber[];
  readonly topics: Topic[];
  readonly templates: Template[];
  readonly schedules: Schedule[];
  readonly signups: SignupBook;
  readonly campaigns: number;
}

/** What the home's send lock says while an import holds it: a send from the home is refused, naming it. */
const HOME_LOCK_CAMPAIGN = 'none: copying this home into the database (db import-home)';

/**
 * Copies a JSON home into an empty database (`canale db import-home`), all or nothing: a mark is committed first,
 * everything is copied, then the mark is deleted. While the mark is there every other command refuses the database
 * (requireSchema), so a failure or a kill -9 mid-way never leaves a database that a send could use half copied; the
 * next import empties canale's tables and starts over. The home's send lock is held throughout (no send from the
 * home meanwhile: its journal lines would be left behind), and the database's `import-home` lock (one import at a
 * time). A database that holds data of its own is refused (DATABASE_NOT_EMPTY), naming it. The mark is read when a
 * command starts: a process already working on the database before it (a `webhook serve` started early) is not
 * stopped by it — the command's help says to stop those first.
 */
export async function importHome(request: ImportHomeRequest): Promise<ImportOutcome> {
  const { source, clock, owner } = request;
  const home = homePersistence(source, { clock, ...(owner === undefined ? {} : { owner }) });
  await refuseNoHome(source);
  const sending = await home.locks.sendingNow();
  if (sending === HOME_LOCK_CAMPAIGN) {
    throw new CanaleError('IMPORT_BUSY', `another db import-home is copying the home at ${source.home} — nothing was done`, { exit: 'busy' });
  }
  if (sending !== undefined) {
    throw new CanaleError('HOME_SENDING', `a send of campaign ${sending} is running from the home at ${source.home} — nothing was copied; run db import-home again when it has ended (see: canale campaigns list)`, { exit: 'busy' });
  }
  const startedAt = clock.now().toISOString();
  return home.locks.withSendLock({ campaign: HOME_LOCK_CAMPAIGN, startedAt }, async () => {
    const sql = openDatabase(request.url, { max: 4 });
    const ports = pgPorts(sql, request.paths, { clock, ...(owner === undefined ? {} : { owner }) });
    try {
      await requireSchemaVersion(sql, shownUrl(request.url));
      return await ports.locks.withLock(IMPORT_LOCK, { startedAt }, () => importLocked(request, sql, home, ports), importBusy);
    } catch (error) {
      throw databaseError(error, request.url);
    } finally {
      await ports.close?.();
    }
  });
}

async function importLocked(request: ImportHomeRequest, sql: Sql, home: Persistence, ports: Persistence): Promise<ImportOutcome> {
  const url = shownUrl(request.url);
  const unfinished = await readImportMarker(sql);
  if (unfinished === undefined) await refuseHeldData(sql, url);
  request.progress(`reading the home at ${request.source.home}`);
  const book = await readHome(home);
  await request.confirm({ home: request.source.home, url, subscribers: book.subscribers.length, campaigns: book.campaigns, ...(unfinished === undefined ? {} : { unfinished }) });
  await markImport(sql, request.source.home, request.clock.now());
  request.progress('copying: until it ends, every other canale command refuses the database');
  try {
    if (unfinished !== undefined) await startOver(sql);
    const outcome = await copyHome(request, sql, book, home, ports);
    await unmarkImport(sql);
    return { ...outcome, ...(unfinished === undefined ? {} : { startedOver: { home: unfinished.home, startedAt: unfinished.startedAt } }) };
  } catch (error) {
    throw unfinishedError(databaseError(error, request.url), request.source.home);
  }
}

async function readHome(home: Persistence): Promise<HomeBook> {
  const subscribers: Subscriber[] = [];
  await home.subscribers.scan(undefined, (s) => subscribers.push(s));
  const { campaigns, damaged } = await home.campaigns.scan();
  return {
    subscribers,
    topics: await home.subscribers.topics(),
    templates: await home.subscribers.templates(),
    schedules: await home.schedules.list(),
    signups: await home.signups.read(),
    campaigns: campaigns.length + damaged.length,
  };
}

async function copyHome(request: ImportHomeRequest, sql: Sql, book: HomeBook, home: Persistence, ports: Persistence): Promise<Omit<ImportOutcome, 'startedOver'>> {
  request.progress(`copying ${book.subscribers.length} subscriber(s), the topics and the templates`);
  // one bulk transaction: an empty table takes the rows by COPY, its indexes built after them
  await ports.subscribers.transaction({ bulk: true }, (tx) => {
    for (const topic of tx.topics()) tx.removeTopic(topic.id);
    for (const topic of book.topics) tx.putTopic(topic);
    tx.setTemplates(book.templates);
    for (const subscriber of book.subscribers) tx.insert(subscriber);
  });
  request.progress('copying the campaigns');
  const { damaged, ...campaigns } = await copyCampaigns(sql, request.source.home, home.campaigns, ports.campaigns, request.progress);
  request.progress('copying the webhook inbox and the opt-out feed');
  const events = await copyEvents(sql, request.source.home, home.events, ports.events);
  await ports.schedules.update(() => ({ schedules: book.schedules, result: undefined }));
  await ports.signups.update(() => ({ book: book.signups, result: undefined }));
  return {
    home: request.source.home,
    url: shownUrl(request.url),
    subscribers: book.subscribers.length,
    topics: book.topics.length,
    templates: book.templates.length,
    campaigns,
    damaged,
    inbox: { entries: events.inboxEntries, cursor: await ports.events.cursor() },
    optOuts: events.optOuts,
    failureStreaks: events.failureStreaks,
    schedules: book.schedules.length,
    signups: book.signups.pending.length,
    warnings: events.warnings,
  };
}

async function refuseNoHome(source: HomePaths): Promise<void> {
  if (await access(source.db).then(() => true, () => false)) return;
  throw new CanaleError('HOME_NOT_FOUND', `${source.home} is not a canale home (it has no db.json) — name the folder a canale home is in (--home, $CANALE_HOME, ~/.local/share/canale)`);
}

async function refuseHeldData(sql: Sql, url: string): Promise<void> {
  const held = await heldData(sql);
  if (held.length === 0) return;
  throw new CanaleError(
    'DATABASE_NOT_EMPTY',
    `the database at ${url} already holds ${held.join(', ')} — nothing was copied: db import-home copies a home into a database that holds nothing yet (a new one: createdb, then canale db migrate)`,
  );
}

function importBusy(holder: { readonly pid?: number; readonly host?: string; readonly startedAt?: string }): CanaleError {
  const who = [holder.pid === undefined ? undefined : `process ${holder.pid}`, holder.host === undefined ? undefined : `on ${holder.host}`, holder.startedAt === undefined ? undefined : `since ${holder.startedAt}`].filter((w) => w !== undefined);
  return new CanaleError('IMPORT_BUSY', `another db import-home is copying a home into this database${who.length === 0 ? '' : ` (${who.join(' ')})`} — nothing was done`, { exit: 'busy' });
}

/** An import stopped after its mark: the database stays refused, and running it again starts over. */
function unfinishedError(error: unknown, home: string): unknown {
  const said = isCanaleError(error) || error instanceof Error ? error.message : String(error);
  return new CanaleError(
    'IMPORT_UNFINISHED',
    `the copy of ${home} stopped: ${said} — the database is refused by every canale command until db import-home runs again and finishes (it starts over)`,
    { cause: error },
  );
}
