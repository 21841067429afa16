// Closed-loop load: `count` operations with `concurrency` in flight, timing each.

/** Outcome of a closed-loop run. */
export interface LoadResult {
  ops: number;
  errors: number;
  elapsedMs: number;
  opsPerSec: number;
  /** Per-operation latency, ms. */
  latencies: number[];
  /** The first error, for the report. */
  firstError?: string;
}

/** Run `op(i)` for i in [0, count) keeping `concurrency` in flight. An op that throws counts as an error. */
export async function closedLoop(count: number, concurrency: number, op: (i: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const s = performance.now();
      try {
        await op(i);
        latencies.push(performance.now() - s);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = performance.now() - t0;
  return { ops: count, errors, elapsedMs, opsPerSec: ((count - errors) / elapsedMs) * 1000, latencies, firstError };
}
