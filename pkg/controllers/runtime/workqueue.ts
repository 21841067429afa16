// The controllers' work queue, after client-go's: keys (not events) are queued, so a burst of changes to one
// object collapses into one reconcile; a key is never handed to two workers at once; a key added while it is
// being processed is queued again when its worker calls done(); retries back off per key; delays go through the
// injected clock so tests move time by hand. Handing out a key is O(1) (a FIFO, not Array.shift).
import type { Clock, Timer } from '../../clock/clock.ts';
import { Fifo } from './fifo.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimiter.ts';

/** Optional observation hooks (e.g. Prometheus gauges and counters); every hook may be left out. */
export interface WorkQueueMetrics {
  /** The number of keys waiting to be handed out changed to `n`. */
  depth?(n: number): void;
  /** A key was added (counted even when deduplicated, as client-go does). */
  add?(): void;
  /** A key was scheduled for a retry through addRateLimited. */
  retry?(): void;
  /** A key waited `ms` between being queued and being handed out. */
  queueLatency?(ms: number): void;
  /** A worker held a key for `ms` (get → done). */
  workDuration?(ms: number): void;
}

/** Construction options of a WorkQueue. */
export interface WorkQueueOptions<K> {
  /** Drives addAfter and addRateLimited delays. */
  clock: Clock;
  /** Retry delays (default: client-go's — per key 5 ms doubling up to 1000 s, at most 10/s overall, burst 100). */
  rateLimiter?: RateLimiter<K>;
  metrics?: WorkQueueMetrics;
}

/**
 * A deduplicating, per-key-exclusive work queue. Keys are compared with SameValueZero (Map semantics), so use
 * strings or other primitives; `undefined` is not a valid key (get() uses it to say "shut down").
 */
export class WorkQueue<K extends {} = string> {
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<K>;
  private readonly metrics: WorkQueueMetrics;
  /** Keys ready to be handed out, in order. Every key here is also in `dirty`. */
  private readonly queue = new Fifo<K>();
  /** Keys that need processing (queued, or re-added while in progress), with the time they were first queued. */
  private readonly dirty = new Map<K, number>();
  /** Keys handed to a worker and not yet done, with the time they were handed out. */
  private readonly processing = new Map<K, number>();
  /** Delayed adds, one timer per key: the earliest requested time wins, as in client-go. */
  private readonly delayed = new Map<K, { at: number; timer: Timer }>();
  /** Pending get() calls; only non-empty while `queue` is empty. */
  private readonly waiters = new Fifo<(key: K | undefined) => void>();
  /** Resolved when a draining shutdown has nothing queued or in progress any more. */
  private drained: Array<() => void> = [];
  private shuttingDown = false;
  private draining = false;

  constructor(opts: WorkQueueOptions<K>) {
    this.clock = opts.clock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>(opts.clock);
    this.metrics = opts.metrics ?? {};
  }

  /** Queue `key` unless it is already queued; a key in progress is queued again when its worker calls done(). */
  add(key: K): void {
    if (this.shuttingDown) return;
    this.metrics.add?.();
    if (this.dirty.has(key)) return;
    this.dirty.set(key, this.clock.now());
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.dispatch();
  }

  /** Add `key` after `ms` milliseconds of the injected clock; an earlier pending request for the key wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (!(ms > 0)) return this.add(key);
    const at = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      // A newer, earlier timer may have replaced this one; only the registered one acts.
      if (this.delayed.get(key)?.timer !== timer) return;
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Add `key` after its backoff delay, which grows with every call until forget(key). */
  addRateLimited(key: K): void {
    if (this.shuttingDown) return;
    this.metrics.retry?.();
    this.addAfter(key, this.limiter.when(key));
  }

  /** Reset `key`'s backoff (call after a successful reconcile). Does not remove the key from the queue. */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  /** How many times `key` was retried since it was last forgotten. */
  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  /** The next key to process, waiting until there is one; undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    if (this.queue.length > 0 && (!this.shuttingDown || this.draining)) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Mark `key` as processed; if it was added meanwhile it is queued again now. */
  done(key: K): void {
    const since = this.processing.get(key);
    if (since === undefined) return;
    this.processing.delete(key);
    this.metrics.workDuration?.(this.clock.now() - since);
    if (this.shuttingDown) return this.checkDrained();
    if (!this.dirty.has(key)) return;
    this.queue.push(key);
    this.dispatch();
  }

  /** Stop: pending and future get() calls resolve undefined; queued keys and delayed adds are dropped. */
  shutDown(): void {
    // Also ends a draining shutdown at once (what is still queued is dropped).
    if (this.shuttingDown && !this.draining) return;
    this.shuttingDown = true;
    this.draining = false;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    this.queue.drain();
    this.dirty.clear();
    this.metrics.depth?.(0);
    for (const resolve of this.waiters.drain()) resolve(undefined);
    this.checkDrained();
  }

  /**
   * Stop taking new keys (adds and delays are dropped from now on) but hand out what is already queued; resolves
   * once the queue is empty and every key handed out is done (client-go's ShutDownWithDrain). A key re-added
   * while in progress is not processed again. get() resolves undefined once nothing is left to hand out.
   */
  shutDownWithDrain(): Promise<void> {
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      this.draining = true;
      for (const { timer } of this.delayed.values()) timer.cancel();
      this.delayed.clear();
      // Keys queued now are drained; anything that would be re-queued by done() is not.
      for (const key of this.dirty.keys()) if (this.processing.has(key)) this.dirty.delete(key);
    }
    return new Promise((resolve) => {
      this.drained.push(resolve);
      this.checkDrained();
    });
  }

  /** Whether shutDown() was called. */
  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** The number of keys waiting to be handed out (not counting keys in progress or delayed). */
  len(): number {
    return this.queue.length;
  }

  /** The number of keys currently held by workers. */
  inProgress(): number {
    return this.processing.size;
  }

  /** The number of keys waiting on a delay (addAfter / addRateLimited). */
  delayedLen(): number {
    return this.delayed.size;
  }

  /** Hand queued keys to waiting get() calls; done synchronously so no two waiters can race for one key. */
  private dispatch(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) this.waiters.shift()!(this.take());
    this.metrics.depth?.(this.queue.length);
  }

  /** During shutdown: once nothing is queued or held, release get() waiters and shutDownWithDrain() callers. */
  private checkDrained(): void {
    if (!this.shuttingDown || this.queue.length > 0) return;
    // Nothing will be queued again: idle workers are released at once, drain waiters once the last key is done.
    for (const resolve of this.waiters.drain()) resolve(undefined);
    if (this.processing.size === 0) for (const resolve of this.drained.splice(0)) resolve();
  }

  /** Move the head of the queue into processing. */
  private take(): K {
    const key = this.queue.shift()!;
    const now = this.clock.now();
    this.metrics.queueLatency?.(now - (this.dirty.get(key) ?? now));
    this.dirty.delete(key);
    this.processing.set(key, now);
    this.metrics.depth?.(this.queue.length);
    if (this.draining) this.checkDrained();
    return key;
  }
}
