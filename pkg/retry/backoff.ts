// Exponential backoff, the one definition every retry loop uses (informer and etcd watch reconnects, the watch
// cache's reflector, leader-elected work, the work queue's per-key limiter): initial · factor^attempt, capped.

/** Shape of a backoff. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms (> 0). */
  initialMs: number;
  /** Upper bound of any delay, in ms (>= initialMs). */
  maxMs: number;
  /** Growth per failure (default 2). */
  factor?: number;
}

/** The usual shape of a client's retry loop (informers, the node agent's writes and fetches): 500 ms doubling to 30 s. */
export const CLIENT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/** `overrides` over `defaults`, field by field: callers' options may set only the fields they care about. */
export function backoffOptions(defaults: BackoffOptions, overrides?: Partial<BackoffOptions>): BackoffOptions {
  return {
    initialMs: overrides?.initialMs ?? defaults.initialMs,
    maxMs: overrides?.maxMs ?? defaults.maxMs,
    factor: overrides?.factor ?? defaults.factor,
  };
}

/** The delay after `attempt` consecutive failures (attempt 0 = the first retry): initial · factor^attempt ≤ max. */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const factor = opts.factor ?? 2;
  if (!(opts.initialMs > 0) || !(opts.maxMs >= opts.initialMs) || !(factor >= 1)) {
    throw new RangeError(`backoff needs 0 < initialMs <= maxMs and factor >= 1 (got ${opts.initialMs}, ${opts.maxMs}, ${factor})`);
  }
  if (attempt <= 0) return opts.initialMs;
  // Past the cap the power only overflows towards Infinity; min() keeps it at max.
  return Math.min(opts.maxMs, opts.initialMs * factor ** attempt);
}

/** A stateful backoff for one retry loop: next() grows the delay, reset() after a success starts over. */
export class Backoff {
  private failures = 0;
  constructor(private readonly opts: BackoffOptions) {
    backoffDelay(0, opts); // validate once, up front
  }

  /** The delay to wait now; the next call waits longer (up to the cap). */
  next(): number {
    return backoffDelay(this.failures++, this.opts);
  }

  /** Consecutive failures since the last reset. */
  attempts(): number {
    return this.failures;
  }

  /** Start over after a success. */
  reset(): void {
    this.failures = 0;
  }
}
