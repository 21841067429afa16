// Allocation name indexes: `<job>.<group>[<index>]`. Replacements keep their predecessor's index; new
// allocations take the lowest free one, so a group of count N converges on indexes 0..N-1.

/** The set of indexes in use within one group. */
export class NameIndex {
  private readonly used = new Set<number>();

  /** Marks an index used; returns false when it already was (a duplicate name). */
  claim(index: number): boolean {
    if (this.used.has(index)) return false;
    this.used.add(index);
    return true;
  }

  /** Frees an index. */
  release(index: number): void {
    this.used.delete(index);
  }

  /** Takes the lowest free index. */
  next(): number {
    let i = 0;
    while (this.used.has(i)) i++;
    this.used.add(i);
    return i;
  }
}
