import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { emailKey } from '../../core/email.js';
import type { Subscriber } from '../../core/subscriber.js';
import { identityOfFd } from './change-log.js';
import { HEADER_BYTES, SLOT_BYTES, type IndexTableBuild, type KeyHashes } from './index-table.js';

export type { KeyHashes } from './index-table.js';

/**
 * `db.json.index` (DESIGN §5): where each subscriber's line starts in db.json, by id, phone, e-mail, WhatsApp user id
 * and `whatsapp:` consent source, so a small change finds whom it touches with a few positioned reads instead of
 * reading a million records. An open-addressing hash table of 12-byte slots (a 32-bit hash of the key, never 0, and
 * the line's byte offset), after a 256-byte header line naming the db.json it was made for (its identity, as the
 * change log names it) and where its templates section starts. Made when db.json is written; an index for another
 * db.json (a hand edit, a restore, an older canale) is never used, and made again from the file under the lock.
 * It holds no personal data: hashes and offsets only.
 */
export const indexPath = (db: string): string => `${db}.index`;

const PROBE_SLOTS = 32;
const LINE_CHUNK = 4096;
/** Lookups one by one before the table is read whole: a few for a reply or an add, thousands for an import. */
const WHOLE_TABLE_AFTER = 256;

export type IndexKind = 'i' | 'p' | 'e' | 'u' | 's';

/** Hands each key one subscriber is found by to `visit`, as its kind and value: id, phone, e-mail key, user id, `whatsapp:` sources. */
export function forEachKey(s: Subscriber, visit: (kind: IndexKind, value: string) => void): void {
  visit('i', s.id);
  if (s.phone !== undefined) visit('p', s.phone);
  if (s.email !== undefined) visit('e', emailKey(s.email));
  if (s.whatsappUserId !== undefined) visit('u', s.whatsappUserId);
  // without making a list of sources (a million subscribers, most with none)
  forEachWhatsappSource(s, (source) => visit('s', source));
}

/** Whether the subscriber is found by this key. */
export function holdsKey(s: Subscriber, kind: IndexKind, value: string): boolean {
  switch (kind) {
    case 'i':
      return s.id === value;
    case 'p':
      return s.phone === value;
    case 'e':
      return s.email !== undefined && emailKey(s.email) === value;
    case 'u':
      return s.whatsappUserId === value;
    case 's':
      return whatsappSources(s).includes(value);
    default: {
      const unknown: never = kind;
      return unknown;
    }
  }
}

/** Hands each consent source a reply is looked up by to `visit`: `whatsapp:<message id>`, of the consent, then of its history. */
export function forEachWhatsappSource(s: Subscriber, visit: (source: string) => void): void {
  if (s.consent.source.startsWith('whatsapp:')) visit(s.consent.source);
  for (const event of s.history ?? []) if (event.source.startsWith('whatsapp:')) visit(event.source);
}

/** The consent sources of a subscriber that a reply is looked up by (forEachWhatsappSource), as a list. */
export function whatsappSources(s: Subscriber): string[] {
  const sources: string[] = [];
  forEachWhatsappSource(s, (source) => sources.push(source));
  return sources;
}

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a over the key's UTF-16 units, from `h`. */
function fnv(h: number, key: string): number {
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** The hash of a key (`p+39…`), never 0 (0 is an empty slot). */
function hashOf(key: string): number {
  return fnv(FNV_OFFSET, key) >>> 0 || 1;
}

/** hashOf(kind + value), without making that string (a million subscribers: three million keys). */
function hashOfKey(kind: IndexKind, value: string): number {
  return fnv(Math.imul(FNV_OFFSET ^ kind.charCodeAt(0), 0x01000193), value) >>> 0 || 1;
}

/** The key hashes of subscribers held in memory: counted, then hashed straight into arrays of that size. */
export function keyHashes(subscribers: readonly Subscriber[]): KeyHashes {
  let count = 0;
  for (const s of subscribers) forEachKey(s, () => count++);
  const list = new KeyHashList(count);
  subscribers.forEach((s, owner) => list.add(s, owner));
  return list;
}

/** Key hashes gathered one subscriber at a time (db.json read to index it: records that are not kept). */
export class KeyHashList implements KeyHashes {
  hashes: Uint32Array;
  owners: Uint32Array;
  count = 0;

  constructor(expected = 1024) {
    this.hashes = new Uint32Array(Math.max(16, expected));
    this.owners = new Uint32Array(Math.max(16, expected));
  }

  /** Adds the key hashes of `s`, the subscriber at position `owner`. */
  add(s: Subscriber, owner: number): void {
    forEachKey(s, (kind, value) => {
      if (this.count === this.hashes.length) this.grow();
      this.hashes[this.count] = hashOfKey(kind, value);
      this.owners[this.count++] = owner;
    });
  }

  private grow(): void {
    const hashes = new Uint32Array(this.hashes.length * 2);
    const owners = new Uint32Array(this.hashes.length * 2);
    hashes.set(this.hashes);
    owners.set(this.owners);
    this.hashes = hashes;
    this.owners = owners;
  }
}

/** What a db.json write learns about its layout: each subscriber's line offset and where the templates start. */
export interface StoreLayoutMarks {
  readonly offsets: number[];
  templatesAt: number;
}

/**
 * Writes the index of the subscribers whose table `build` is making, at `marks.offsets`, for the db.json of identity
 * `base` (the table is finished, and written, by the thread that made it).
 */
export async function writeIndex(db: string, build: IndexTableBuild, marks: StoreLayoutMarks, base: string): Promise<void> {
  const header = JSON.stringify({ canaleIndex: 1, base, slots: build.slots, templatesAt: marks.templatesAt });
  await build.write(indexPath(db), `${header.padEnd(HEADER_BYTES - 1, ' ')}\n`, marks.offsets);
}

/**
 * The index opened for reading, checked against the db.json it is asked about; `lookup` gives the offsets of the
 * lines that may hold a key (a hash is not the key: the caller reads the line and checks), `line` reads one.
 */
export class StoreIndex {
  private lookups = 0;
  private table: Buffer | undefined;

  private constructor(
    private readonly indexFd: number,
    private readonly dbFd: number,
    private readonly slots: number,
    readonly templatesAt: number,
    readonly base: string,
  ) {}

  /** The index of db.json as it is now, or undefined when there is none for this very file. */
  static open(db: string): StoreIndex | undefined {
    let indexFd: number | undefined;
    let dbFd: number | undefined;
    try {
      dbFd = openSync(db, 'r');
      indexFd = openSync(indexPath(db), 'r');
      const head = Buffer.alloc(HEADER_BYTES);
      if (readSync(indexFd, head, 0, HEADER_BYTES, 0) !== HEADER_BYTES) throw new Error('short');
      const header = JSON.parse(head.toString('latin1').trim()) as { canaleIndex?: unknown; base?: unknown; slots?: unknown; templatesAt?: unknown };
      const base = identityOfFd(dbFd);
      const slots = Number(header.slots);
      const whole = fstatSync(indexFd).size === HEADER_BYTES + slots * SLOT_BYTES;
      if (header.canaleIndex !== 1 || header.base !== base || !whole || !Number.isInteger(slots) || (slots & (slots - 1)) !== 0) throw new Error('stale');
      return new StoreIndex(indexFd, dbFd, slots, Number(header.templatesAt), base);
    } catch {
      if (indexFd !== undefined) closeSync(indexFd);
      if (dbFd !== undefined) closeSync(dbFd);
      return undefined;
    }
  }

  lookup(key: string): number[] {
    const hash = hashOf(key);
    const mask = this.slots - 1;
    const found: number[] = [];
    // a transaction that looks up many keys (an import: several per row) reads the table once instead of once a key
    if (this.table === undefined && ++this.lookups > WHOLE_TABLE_AFTER) this.table = this.readTable();
    const chunk = this.table ?? Buffer.alloc(PROBE_SLOTS * SLOT_BYTES);
    let slot = hash & mask;
    for (let probed = 0; probed < this.slots; ) {
      const count = Math.min(PROBE_SLOTS, this.slots - slot);
      const base = this.table === undefined ? 0 : slot * SLOT_BYTES;
      if (this.table === undefined) readSync(this.indexFd, chunk, 0, count * SLOT_BYTES, HEADER_BYTES + slot * SLOT_BYTES);
      for (let k = 0; k < count; k++) {
        const h = chunk.readUInt32LE(base + k * SLOT_BYTES);
        if (h === 0) return found;
        if (h === hash) found.push(chunk.readUIntLE(base + k * SLOT_BYTES + 4, 6));
      }
      probed += count;
      slot = (slot + count) & mask;
    }
    return found;
  }

  /** The slots, read whole (a million subscribers: about 100 MB). */
  private readTable(): Buffer {
    const table = Buffer.allocUnsafe(this.slots * SLOT_BYTES);
    for (let at = 0; at < table.length; ) {
      const read = readSync(this.indexFd, table, at, table.length - at, HEADER_BYTES + at);
      if (read === 0) throw new Error('the index ended early');
      at += read;
    }
    return table;
  }

  /** The text of the line of db.json that starts at `offset`, without its newline and the comma that ends it. */
  line(offset: number): string {
    let text = '';
    const chunk = Buffer.alloc(LINE_CHUNK);
    for (let at = offset; ; at += LINE_CHUNK) {
      const read = readSync(this.dbFd, chunk, 0, LINE_CHUNK, at);
      const end = chunk.subarray(0, read).indexOf(0x0a);
      text += chunk.toString('utf8', 0, end === -1 ? read : end);
      if (end !== -1 || read < LINE_CHUNK) break;
    }
    return text.endsWith(',') ? text.slice(0, -1) : text;
  }

  /** db.json from `offset` to its end. */
  tail(offset: number): string {
    const size = fstatSync(this.dbFd).size;
    const bytes = Buffer.alloc(Math.max(0, size - offset));
    readSync(this.dbFd, bytes, 0, bytes.length, offset);
    return bytes.toString('utf8');
  }

  /** The open db.json, for a pass over every line (SyncLines). */
  get dbDescriptor(): number {
    return this.dbFd;
  }

  close(): void {
    closeSync(this.indexFd);
    closeSync(this.dbFd);
  }
}
