// Per-key retry delays for the workqueue: how long a failing key waits before its next attempt.

/** Decides the delay before a key's next retry and remembers how often it failed. */
export interface RateLimiter<K> {
  /** The delay (ms) before the next retry of `key`; counts one more failure. */
  when(key: K): number;
  /** Forget `key`'s failures (it succeeded). */
  forget(key: K): void;
  /** How many failures of `key` are remembered. */
  numRequeues(key: K): number;
}

/** Options of the exponential per-key limiter. */
export interface ExponentialBackoffOptions {
  /** Delay after the first failure, ms (default 5 ms, as client-go). */
  baseDelayMs?: number;
  /** Upper bound of the delay, ms (default 1000 s, as client-go). */
  maxDelayMs?: number;
}

/** client-go's default per-item backoff. */
export const DEFAULT_BASE_DELAY_MS = 5;
/** client-go's default per-item backoff cap. */
export const DEFAULT_MAX_DELAY_MS = 1_000_000;

/** Per-key exponential backoff: base·2^failures, capped at max (client-go's ItemExponentialFailureRateLimiter). */
export function exponentialBackoff<K>(opts: ExponentialBackoffOptions = {}): RateLimiter<K> {
  const base = opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const max = opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (!(base > 0) || !(max >= base)) throw new RangeError(`backoff needs 0 < baseDelayMs <= maxDelayMs (got ${base}, ${max})`);
  const failures = new Map<K, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      // Past ~2^60 the product is not finite any more; the cap is reached long before.
      return n >= 60 ? max : Math.min(max, base * 2 ** n);
    },
    forget: (key) => void failures.delete(key),
    numRequeues: (key) => failures.get(key) ?? 0,
  };
}
