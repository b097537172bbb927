import { Low } from 'lowdb';
import type { Store, StoreScan, SubscriberVisitor } from '../../core/ports.js';
import { emptyStore, type StoreData } from '../../core/store-data.js';
import type { Topic } from '../../core/topic.js';
import { removeStaleTemporaryFiles } from '../fs/atomic-file.js';
import { withFileLock, type LockOwner } from '../fs/file-lock.js';
import { StoreFile } from './store-file.js';

/**
 * The Store port over db.json with lowdb, built explicitly (no JSONFilePreset). Reads need no lock: writes
 * replace the file atomically, so a reader sees a whole version. Updates read, change and write under a lock
 * shared by all canale processes, so twenty concurrent `subscribers add` leave twenty subscribers; each update first
 * removes the temporary copies of db.json that killed writes left behind.
 */
export class JsonFileStore implements Store {
  constructor(
    private readonly path: string,
    private readonly lockWaitMs = 20_000,
    /** This process (Deps.processes): a lock left by a canale of this machine that is gone is taken over at once. */
    private readonly owner?: LockOwner,
  ) {}

  async read(): Promise<StoreData> {
    const db = new Low<StoreData>(new StoreFile(this.path), emptyStore());
    await db.read();
    return db.data;
  }

  async topics(): Promise<Topic[]> {
    return (await new StoreFile(this.path).topics()) ?? emptyStore().topics;
  }

  async scan(begin: () => SubscriberVisitor): Promise<StoreScan> {
    const scanned = await new StoreFile(this.path).scan(begin);
    if (scanned !== null) return scanned;
    const { subscribers: _none, ...empty } = emptyStore();
    return { ...empty, subscriberCount: 0 };
  }

  update<T>(change: (data: StoreData) => T): Promise<T> {
    return withFileLock(this.path, { waitMs: this.lockWaitMs, ...(this.owner === undefined ? {} : { owner: this.owner }) }, async ({ assertHeld, takenAtMs }) => {
      // copies of the whole store left by writes that were killed (everyone's data): older than this lock, so not a live writer's
      await removeStaleTemporaryFiles(this.path, takenAtMs);
      const db = new Low<StoreData>(new StoreFile(this.path), emptyStore());
      await db.read();
      const result = change(db.data);
      assertHeld();
      await db.write();
      return result;
    });
  }
}
