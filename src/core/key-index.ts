const EMPTY = -1;
const MIN_SLOTS = 1 << 10;

/** FNV-1a over the string's UTF-16 code units: cheap, and spread well enough for phones, e-mails and ids. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * Which number (a citizen's place in a batch) goes with a key: a Map<string, number> for a million keys, built in
 * about half the time and a small part of the garbage. Open addressing over typed arrays — the slots hold
 * positions in a plain list of keys and values, the table doubles at half full — so an insert allocates nothing
 * but the occasional growth, and the collector has two arrays to look at instead of a million entries.
 */
export class KeyIndex {
  private slots: Int32Array;
  private hashes: Uint32Array;
  private readonly keys: string[] = [];
  private readonly values: number[] = [];
  /** The key `get` last missed, and where it would go: a `set` of it right after needs no second search. */
  private missed: string | undefined;
  private missedSlot = 0;
  private missedHash = 0;
  private live = 0;

  constructor(expected = 0) {
    let size = MIN_SLOTS;
    while (size < expected * 2) size *= 2;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.hashes = new Uint32Array(size);
  }

  /** How many keys have a number (deleted ones left out). */
  get size(): number {
    return this.live;
  }

  /** The number kept for `key`, or -1 when there is none. */
  get(key: string): number {
    const hash = hashOf(key);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot] as number;
      if (at === EMPTY) {
        this.missed = key;
        this.missedSlot = slot;
        this.missedHash = hash;
        return EMPTY;
      }
      if (this.hashes[slot] === hash && this.keys[at] === key) return this.values[at] as number;
    }
  }

  /** Keeps `value` (a number ≥ 0) for `key`, replacing the one kept before. */
  set(key: string, value: number): void {
    if (key === this.missed) {
      this.insert(key, value, this.missedSlot, this.missedHash);
      return;
    }
    const hash = hashOf(key);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot] as number;
      if (at === EMPTY) {
        this.insert(key, value, slot, hash);
        return;
      }
      if (this.hashes[slot] === hash && this.keys[at] === key) {
        if (this.values[at] === EMPTY) this.live++;
        this.values[at] = value;
        return;
      }
    }
  }

  /** Forgets the number of `key`: `get` gives -1 for it again. Its place is kept, for a `set` of it later. */
  delete(key: string): void {
    const hash = hashOf(key);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot] as number;
      if (at === EMPTY) return;
      if (this.hashes[slot] === hash && this.keys[at] === key) {
        if (this.values[at] !== EMPTY) this.live--;
        this.values[at] = EMPTY;
        return;
      }
    }
  }

  /** Each key that has a number, with it, in the order the keys were first set. */
  forEach(visit: (key: string, value: number) => void): void {
    const { keys, values } = this;
    for (let i = 0; i < keys.length; i++) if (values[i] !== EMPTY) visit(keys[i] as string, values[i] as number);
  }

  private insert(key: string, value: number, slot: number, hash: number): void {
    this.missed = undefined;
    this.slots[slot] = this.keys.push(key) - 1;
    this.hashes[slot] = hash;
    this.values.push(value);
    this.live++;
    if (this.keys.length * 2 > this.slots.length) this.grow();
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2).fill(EMPTY);
    this.hashes = new Uint32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let old = 0; old < slots.length; old++) {
      const at = slots[old] as number;
      if (at === EMPTY) continue;
      const hash = hashes[old] as number;
      let slot = hash & mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slots[slot] = at;
      this.hashes[slot] = hash;
    }
  }
}
