// An ordered set of keys for prefix range scans over hundreds of thousands of keys. A flat sorted array
// costs O(n) per insert (memmove); chunks of at most MAX_CHUNK keys keep inserts and deletes at
// O(log n + MAX_CHUNK) while ranges stay a binary search plus a linear walk.
// Ordering is JavaScript string order (UTF-16 code units), which equals etcd's byte order for ASCII keys.

const MAX_CHUNK = 1024;

/** Sorted set of strings with range iteration. */
export class KeySet {
  private chunks: string[][] = [];
  private count = 0;

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Adds `key` (no-op when present). */
  add(key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count = 1;
      return;
    }
    let ci = this.chunkFor(key);
    if (ci === this.chunks.length) ci--; // beyond every key: append to the last chunk
    const chunk = this.chunks[ci]!;
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return;
    chunk.splice(i, 0, key);
    this.count++;
    if (chunk.length > MAX_CHUNK) this.chunks.splice(ci + 1, 0, chunk.splice(chunk.length >> 1));
  }

  /** Removes `key` (no-op when absent). */
  delete(key: string): void {
    const ci = this.chunkFor(key);
    const chunk = this.chunks[ci];
    if (!chunk) return;
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return;
    chunk.splice(i, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(ci, 1);
  }

  /** Keys >= `from` that start with `prefix`, in order. Do not mutate the set while iterating. */
  *range(prefix: string, from: string = prefix): Generator<string> {
    const start = from > prefix ? from : prefix;
    const first = this.chunkFor(start);
    for (let ci = first; ci < this.chunks.length; ci++) {
      const chunk = this.chunks[ci]!;
      for (let i = ci === first ? lowerBound(chunk, start) : 0; i < chunk.length; i++) {
        const key = chunk[i]!;
        if (!key.startsWith(prefix)) return;
        yield key;
      }
    }
  }

  /** Up to `max` keys >= `from` under `prefix`, copied out so the caller may mutate the set meanwhile. */
  slice(prefix: string, from: string, max: number): string[] {
    const out: string[] = [];
    for (const key of this.range(prefix, from)) {
      out.push(key);
      if (out.length >= max) break;
    }
    return out;
  }

  /** Index of the first chunk whose last key is >= key (chunks.length when none). */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const chunk = this.chunks[mid]!;
      if (chunk[chunk.length - 1]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** First index in sorted `arr` whose element is >= key. */
function lowerBound(arr: readonly string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
