/**
 * Item id -> position, as an open-addressing hash table held in one typed array. A run of a
 * million items is indexed several times faster than with a `Map` of strings, and the table is a
 * single block the garbage collector never has to trace. When an id occurs twice, the later
 * position wins, as with `Map.set`.
 */
export class IdIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** False once an id is seen twice: then only the table knows which position is the later one. */
  private unique = true;

  /** Indexes `keys[0 .. keys.length)` by their ids. */
  constructor(private readonly keys: ReadonlyArray<{ readonly id: string }>) {
    let capacity = 16;
    // At most half full, so a probe rarely goes past a neighbour or two.
    while (capacity < keys.length * 2) capacity *= 2;
    this.slots = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let i = 0; i < keys.length; i++) this.insert((keys[i] as { id: string }).id, i);
  }

  /** Position of `id`, or -1. */
  get(id: string): number {
    const slots = this.slots;
    for (let s = hashOf(id) & this.mask; ; s = (s + 1) & this.mask) {
      const at = slots[s] as number;
      if (at === -1 || (this.keys[at] as { id: string }).id === id) return at;
    }
  }

  /**
   * Position of `id`, looked for first among the `NEAR` positions just before `before`: an item is
   * mostly built from the ones just before it, whose nodes are still in the processor's cache,
   * while a table probe costs a few cache misses in a large run.
   */
  getNear(id: string, before: number): number {
    if (this.unique) {
      const stop = Math.max(0, before - NEAR);
      for (let k = before - 1; k >= stop; k--) if ((this.keys[k] as { id: string }).id === id) return k;
    }
    return this.get(id);
  }

  private insert(id: string, position: number): void {
    const slots = this.slots;
    for (let s = hashOf(id) & this.mask; ; s = (s + 1) & this.mask) {
      const at = slots[s] as number;
      if (at === -1 || (this.keys[at] as { id: string }).id === id) {
        if (at !== -1) this.unique = false;
        slots[s] = position;
        return;
      }
    }
  }
}

const NEAR = 16;

/** FNV-1a over the UTF-16 code units, then a final mix so that similar ids spread apart. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
