// A key-ordered index of cache entries: a list of small sorted chunks (a flat B-tree of depth one), so that
// inserting a key in the middle moves at most one chunk and a page of a list starts with two binary searches.

/** Anything with a string key. */
export interface Keyed {
  key: string;
}

// 512 entries per chunk keeps a 100,000-key index at ~200-400 chunks: both searches stay short and a splice
// moves at most 512 pointers.
const MAX_CHUNK = 512;

/** A position in the index: chunk number and offset inside it. */
interface Pos {
  c: number;
  i: number;
}

/** Entries ordered by key (JavaScript string order, i.e. UTF-16 code units, the same order as etcd for ASCII). */
export class SortedIndex<V extends Keyed> {
  private chunks: V[][] = [];
  private count = 0;

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  /** The entry with `key`, if any. */
  get(key: string): V | undefined {
    const p = this.seek(key);
    const v = this.chunks[p.c]?.[p.i];
    return v !== undefined && v.key === key ? v : undefined;
  }

  /** Insert `v`, or replace the entry with the same key. */
  upsert(v: V): void {
    if (this.chunks.length === 0) {
      this.chunks.push([v]);
      this.count = 1;
      return;
    }
    const p = this.seek(v.key);
    if (p.c === this.chunks.length) {
      // Past the last key: append, starting a fresh chunk instead of splitting so sorted loads pack chunks full.
      const last = this.chunks[this.chunks.length - 1];
      if (last.length < MAX_CHUNK) last.push(v);
      else this.chunks.push([v]);
      this.count++;
      return;
    }
    const chunk = this.chunks[p.c];
    if (chunk[p.i]?.key === v.key) {
      chunk[p.i] = v;
      return;
    }
    chunk.splice(p.i, 0, v);
    this.count++;
    if (chunk.length > MAX_CHUNK) this.chunks.splice(p.c + 1, 0, chunk.splice(MAX_CHUNK >> 1));
  }

  /** Remove the entry with `key`; returns it when it was there. */
  remove(key: string): V | undefined {
    const p = this.seek(key);
    const chunk = this.chunks[p.c];
    if (!chunk || chunk[p.i]?.key !== key) return undefined;
    const [v] = chunk.splice(p.i, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(p.c, 1);
    return v;
  }

  /**
   * Visit entries with key >= `from` in order until `visit` returns false. Entries must not be added or
   * removed during the walk (the watch cache is single-threaded and never yields inside one).
   */
  walk(from: string, visit: (v: V) => boolean): void {
    let { c, i } = this.seek(from);
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c];
      for (; i < chunk.length; i++) if (!visit(chunk[i])) return;
    }
  }

  /** Number of entries with `from <= key < to`. */
  countRange(from: string, to: string): number {
    return to <= from ? 0 : this.rank(to) - this.rank(from);
  }

  /** Number of entries with key < `key`. */
  rank(key: string): number {
    const p = this.seek(key);
    let n = p.i;
    for (let c = 0; c < p.c; c++) n += this.chunks[c].length;
    return n;
  }

  /** All entries in key order (tests, relist diffs). */
  toArray(): V[] {
    return this.chunks.flat();
  }

  /** Position of the first entry with key >= `key` (chunk = chunks.length when past the end). */
  private seek(key: string): Pos {
    const chunks = this.chunks;
    // First chunk whose last key is >= key.
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const ch = chunks[mid];
      if (ch[ch.length - 1].key < key) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return { c: lo, i: 0 };
    const chunk = chunks[lo];
    let a = 0;
    let b = chunk.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (chunk[mid].key < key) a = mid + 1;
      else b = mid;
    }
    return { c: lo, i: a };
  }
}

/** The smallest string greater than every string starting with `prefix` (etcd's prefix range end). */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\uffff';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** The smallest string greater than `key`: where the page after `key` starts. */
export function keyAfter(key: string): string {
  return key + '\x00';
}
