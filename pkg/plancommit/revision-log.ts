// The revisions at which something relevant happened, newest kept: enough to answer "did anything happen
// between revision a (exclusive) and b (inclusive), and when last?" for the recent past, conservatively for
// the distant past (everything forgotten is summarized by the newest forgotten revision).
/** A bounded, ascending log of revisions. */
export class RevisionLog {
  private readonly revs: number[] = [];
  /** The newest revision dropped from the log (0 when none was). */
  private floor = 0;

  constructor(private readonly keep: number) {}

  /** Record an event at `rev` (live events arrive in ascending order; an initial state in key order). */
  add(rev: number): void {
    const last = this.revs[this.revs.length - 1];
    if (last === undefined || rev > last) this.revs.push(rev);
    else if (rev > this.floor && !this.revs.includes(rev)) {
      this.revs.splice(this.revs.findIndex((r) => r > rev), 0, rev);
    } else return;
    if (this.revs.length > this.keep) this.floor = this.revs.shift()!;
  }

  /**
   * The newest recorded revision at or below `max`; 0 when there is none. When the answer was forgotten, the
   * newest forgotten revision stands in (possibly above `max`): a real event revision, later than needed.
   */
  latestAtOrBelow(max: number): number {
    for (let i = this.revs.length - 1; i >= 0; i--) if (this.revs[i]! <= max) return this.revs[i]!;
    return this.floor;
  }
}
