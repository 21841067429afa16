// Limit then max: score only a few feasible nodes (power of two choices) and take the best. Nodes scoring below
// a threshold (e.g. penalized by anti-affinity) are skipped a few times in the hope of better ones, and used only
// when not enough others turn up.
import type { JobType } from '../structs.ts';

/** How many scored options a selection looks at: log2(n) for services (at least 2), 2 for batch. */
export function selectionLimit(type: JobType, feasibleNodes: number, scoresEveryNode: boolean): number {
  // Affinities and spreads are preferences over the whole cluster: a sample would miss the preferred nodes.
  if (scoresEveryNode || type === 'system' || type === 'sysbatch') return Number.POSITIVE_INFINITY;
  if (type === 'batch') return 2;
  return Math.max(2, Math.ceil(Math.log2(Math.max(1, feasibleNodes))));
}

/** Options offered to the limit, then the best of them. */
export class LimitSelector<T extends { normScore: number }> {
  private readonly seen: T[] = [];
  private readonly skipped: T[] = [];

  constructor(
    private readonly limit: number,
    private readonly threshold = 0,
    private readonly maxSkip = 3,
  ) {}

  /** Offers a scored option; returns true once the limit is reached and the source may stop. */
  offer(option: T): boolean {
    if (option.normScore < this.threshold && this.skipped.length < this.maxSkip) this.skipped.push(option);
    else this.seen.push(option);
    return this.seen.length >= this.limit;
  }

  /** The best option (first wins ties); skipped ones fill in when the source ran dry before the limit. */
  best(): T | undefined {
    const pool = this.seen.length >= this.limit ? this.seen : [...this.seen, ...this.skipped.slice(0, this.limit - this.seen.length)];
    let best: T | undefined;
    for (const o of pool) if (!best || o.normScore > best.normScore) best = o;
    return best;
  }
}
