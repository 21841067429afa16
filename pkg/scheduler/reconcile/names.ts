// Allocation name indexes: `<job>.<group>[<index>]`. Replacements keep their predecessor's index; new
// allocations take the lowest free one, so a group of count N converges on indexes 0..N-1.

/** The set of indexes in use within one group. */
export class NameIndex {
  private readonly used = new Set<number>();
  /** No free index lies below it, so `next` never rescans the low, taken ones. */
  private cursor = 0;

  /** Marks an index used; returns false when it already was (a duplicate name). */
  claim(index: number): boolean {
    if (this.used.has(index)) return false;
    this.used.add(index);
    return true;
  }

  /** Frees an index. */
  release(index: number): void {
    this.used.delete(index);
    if (index < this.cursor) this.cursor = index;
  }

  /** Takes the lowest free index. */
  next(): number {
    while (this.used.has(this.cursor)) this.cursor++;
    this.used.add(this.cursor);
    return this.cursor;
  }
}
