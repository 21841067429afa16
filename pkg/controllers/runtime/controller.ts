// The controller loop: N workers pull keys from a WorkQueue and call a level-based reconcile. Retries and
// backoff live here and in the queue, never in business logic: a throw is retried with per-key backoff, a
// success forgets the key's failures, and `requeueAfter` asks to look again later.
import { isConflict } from '../../apierrors/status.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { WorkQueue } from './workqueue.ts';

/** What a reconcile may ask for: to be run again after `requeueAfter` ms even if nothing changes. */
export interface ReconcileResult {
  requeueAfter?: number;
}

/**
 * Brings the world in line with the desired state of `key`. It must re-read current state (from informer caches
 * or the API) rather than trust whatever event caused the key to be queued. `signal` aborts on controller stop.
 */
export type Reconcile<K> = (key: K, signal: AbortSignal) => Promise<ReconcileResult | void>;

/** Options of runController. */
export interface ControllerOptions<K extends {} = string> {
  /** Used in logs. */
  name: string;
  /** The queue to drain (default: a new one on `clock`). It is shut down when the controller stops. */
  queue?: WorkQueue<K>;
  /** How many keys are reconciled concurrently (distinct keys only; the queue guarantees that). */
  workers: number;
  reconcile: Reconcile<K>;
  logger: Logger;
  clock: Clock;
  /** Stops the controller when aborted. */
  signal?: AbortSignal;
}

/** A running controller. */
export interface RunningController<K extends {} = string> {
  /** The queue the workers drain; feed it with enqueueFromInformer or add(). */
  readonly queue: WorkQueue<K>;
  /** Resolves once every worker has finished its current reconcile after stop. */
  readonly done: Promise<void>;
  /** Shut the queue down, abort running reconciles' signals, and wait for the workers to return. */
  stop(): Promise<void>;
}

/** Start `workers` loops reconciling keys from the queue until stopped (by `signal` or `stop()`). */
export function runController<K extends {} = string>(opts: ControllerOptions<K>): RunningController<K> {
  if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new RangeError(`controller ${opts.name}: workers must be a positive integer`);
  const queue = opts.queue ?? new WorkQueue<K>({ clock: opts.clock });
  const log = opts.logger.child({ controller: opts.name });
  const stopping = new AbortController();
  const stop = () => {
    stopping.abort();
    queue.shutDown();
  };
  if (opts.signal?.aborted) stop();
  else opts.signal?.addEventListener('abort', stop, { once: true });

  const loops = Array.from({ length: opts.workers }, () => workerLoop(queue, opts.reconcile, log, stopping.signal));
  const done = Promise.all(loops).then(() => {
    opts.signal?.removeEventListener('abort', stop);
    log.debug('controller stopped');
  });
  log.debug('controller started', { workers: opts.workers });
  return {
    queue,
    done,
    stop: () => {
      stop();
      return done;
    },
  };
}

/** One worker: take a key, reconcile it, record the outcome on the queue, mark it done; until shutdown. */
async function workerLoop<K extends {}>(queue: WorkQueue<K>, reconcile: Reconcile<K>, log: Logger, signal: AbortSignal): Promise<void> {
  for (;;) {
    const key = await queue.get();
    if (key === undefined) return;
    try {
      await processKey(queue, key, reconcile, log, signal);
    } finally {
      queue.done(key);
    }
  }
}

/** Reconcile one key and translate the result into queue operations. Never throws. */
async function processKey<K extends {}>(queue: WorkQueue<K>, key: K, reconcile: Reconcile<K>, log: Logger, signal: AbortSignal): Promise<void> {
  let result: ReconcileResult | void;
  try {
    result = await reconcile(key, signal);
  } catch (err) {
    queue.addRateLimited(key);
    // Conflicts are the normal price of optimistic concurrency: the retry re-reads and usually succeeds.
    const level = isConflict(err) ? 'debug' : 'warn';
    log[level]('reconcile failed; retrying with backoff', { key: String(key), requeues: queue.numRequeues(key), err: describe(err) });
    return;
  }
  queue.forget(key);
  const after = result?.requeueAfter;
  if (after !== undefined && after > 0) queue.addAfter(key, after);
}

function describe(err: unknown): unknown {
  return err instanceof Error ? { name: err.name, message: err.message } : err;
}

export { enqueueFromInformer, objectKey, splitKey, type EventSource, type InformerEvent, type KeyFn } from './enqueue.ts';
