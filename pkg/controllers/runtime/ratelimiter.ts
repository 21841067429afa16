// Per-key retry delays for the workqueue: how long a failing key waits before its next attempt. The default is
// client-go's DefaultControllerRateLimiter: the longer of a per-key exponential backoff and an overall token
// bucket, so one failing key backs off on its own and a storm of failures cannot exceed the bucket's rate.
import type { Clock } from '../../clock/clock.ts';
import { backoffDelay } from '../../retry/backoff.ts';

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
/** client-go's default overall retry rate (10 per second) ... */
export const DEFAULT_BUCKET_QPS = 10;
/** ... with bursts of up to 100. */
export const DEFAULT_BUCKET_BURST = 100;

/** Per-key exponential backoff: base·2^failures, capped at max (client-go's ItemExponentialFailureRateLimiter). */
export function exponentialBackoff<K>(opts: ExponentialBackoffOptions = {}): RateLimiter<K> {
  const shape = { initialMs: opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS, maxMs: opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS };
  backoffDelay(0, shape); // refuse a nonsensical shape at construction
  const failures = new Map<K, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      return backoffDelay(n, shape);
    },
    forget: (key) => void failures.delete(key),
    numRequeues: (key) => failures.get(key) ?? 0,
  };
}

/** Options of the overall token bucket. */
export interface BucketOptions {
  clock: Clock;
  /** Tokens added per second (default 10). */
  qps?: number;
  /** Bucket size (default 100). */
  burst?: number;
}

/**
 * An overall token bucket (client-go's BucketRateLimiter over golang.org/x/time/rate): every retry of any key
 * reserves a token; while tokens are left the delay is 0, after that each retry waits its turn at `qps`.
 * Per-key state is none, so forget() and numRequeues() are no-ops.
 */
export function tokenBucket<K>(opts: BucketOptions): RateLimiter<K> {
  const qps = opts.qps ?? DEFAULT_BUCKET_QPS;
  const burst = opts.burst ?? DEFAULT_BUCKET_BURST;
  if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`token bucket needs qps > 0 and burst >= 1 (got ${qps}, ${burst})`);
  let tokens = burst;
  let last = opts.clock.now();
  return {
    when() {
      const now = opts.clock.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * qps);
      last = now;
      tokens -= 1; // reserve, possibly going into debt: the debt is the wait
      return tokens >= 0 ? 0 : Math.ceil((-tokens / qps) * 1000);
    },
    forget() {},
    numRequeues: () => 0,
  };
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter); every limiter counts every failure. */
export function maxOf<K>(...limiters: RateLimiter<K>[]): RateLimiter<K> {
  if (limiters.length === 0) throw new RangeError('maxOf needs at least one rate limiter');
  return {
    when: (key) => Math.max(...limiters.map((l) => l.when(key))),
    forget: (key) => limiters.forEach((l) => l.forget(key)),
    numRequeues: (key) => Math.max(...limiters.map((l) => l.numRequeues(key))),
  };
}

/** client-go's DefaultControllerRateLimiter: max(per-key 5 ms·2^n ≤ 1000 s, overall bucket 10/s burst 100). */
export function defaultControllerRateLimiter<K>(clock: Clock): RateLimiter<K> {
  return maxOf<K>(exponentialBackoff<K>(), tokenBucket<K>({ clock }));
}
