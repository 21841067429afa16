// Small statistics for benchmark figures: percentiles over samples, a fixed-resolution latency histogram
// (millions of samples without keeping them), and number formatting.

/** The `p`-th percentile (0..100) of `values` by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Latencies in 0.1 ms buckets up to `maxMs`; slower samples land in the last bucket (and are counted). */
export class LatencyHistogram {
  private readonly buckets: Float64Array;
  private readonly resolutionMs = 0.1;
  count = 0;
  overflow = 0;
  max = 0;
  sum = 0;

  constructor(private readonly maxMs = 60_000) {
    this.buckets = new Float64Array(Math.ceil(maxMs / this.resolutionMs) + 1);
  }

  /** Record one latency in milliseconds (negative values, from clock granularity, count as 0). */
  record(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    let i = Math.floor(v / this.resolutionMs);
    if (i >= this.buckets.length - 1) {
      i = this.buckets.length - 1;
      this.overflow++;
    }
    this.buckets[i]!++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** Add every sample of `other` (same resolution and range). */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < this.buckets.length; i++) this.buckets[i]! += other.buckets[i]!;
    this.count += other.count;
    this.overflow += other.overflow;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  /** The `p`-th percentile in ms (upper edge of its bucket); NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const want = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= want) return Math.min(this.max, (i + 1) * this.resolutionMs);
    }
    return this.max;
  }

  /** Mean in ms. */
  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }
}

/** A number with about three significant digits, for tables. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 100) return Math.round(n).toLocaleString('en-US');
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return n.toPrecision(2);
}
