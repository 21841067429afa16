// The cache's event history: every event since the cache started, in revision order, addressed by a
// sequence number that never changes when old events are trimmed, so watchers can keep a plain cursor.
import type { CacheEvent } from './types.ts';

/** An append-only deque of events; `seq` numbers grow forever, trimming only raises `firstSeq`. */
export class EventBuffer {
  private items: CacheEvent[] = [];
  private head = 0; // index in `items` of firstSeq
  private base = 0; // seq of items[0]

  /** Sequence number of the oldest retained event. */
  get firstSeq(): number {
    return this.base + this.head;
  }

  /** Sequence number the next appended event will get (one past the newest). */
  get endSeq(): number {
    return this.base + this.items.length;
  }

  /** Number of retained events. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Append an event; returns its sequence number. */
  append(e: CacheEvent): number {
    this.items.push(e);
    return this.endSeq - 1;
  }

  /** The event at `seq`, or undefined when trimmed or not yet appended. */
  at(seq: number): CacheEvent | undefined {
    return seq < this.firstSeq ? undefined : this.items[seq - this.base];
  }

  /** Sequence number of the first retained event whose position (`pos`) is greater than `pos` (endSeq when none). */
  seqAfter(pos: number): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].pos <= pos) lo = mid + 1;
      else hi = mid;
    }
    return this.base + lo;
  }

  /**
   * Drop the oldest events while there are more than `keep` and the oldest has rv < `belowRv`.
   * Returns the rv of the last dropped event (0 when nothing was dropped).
   */
  trim(keep: number, belowRv: number): number {
    let dropped = 0;
    while (this.length > keep && this.items[this.head].rv < belowRv) {
      dropped = this.items[this.head].rv;
      this.items[this.head++] = undefined as unknown as CacheEvent; // release the objects now
    }
    // Compact the backing array once the dead prefix dominates, so trimming stays amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
    return dropped;
  }
}
