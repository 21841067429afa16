// startController: the wiring every informer-driven controller repeats, in one place. Given shared informers
// and, per informer, which keys its events queue, it makes a work queue (with Prometheus metrics and client-go's
// default rate limiter), subscribes, waits until every informer has listed (a reconcile must never judge a
// half-filled cache), runs the workers, and on stop unsubscribes again: the informers belong to the process's
// SharedInformerFactory and outlive the controller (a leader-elected one starts and stops with each term).
import { Registry } from 'prom-client';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { runController, type Reconcile } from './controller.ts';
import { enqueueFromInformer, objectKey, type KeyFn } from './enqueue.ts';
import type { SharedInformer } from '../../client/shared-informer.ts';
import { promWorkQueueMetrics } from './metrics.ts';
import type { RateLimiter } from './ratelimiter.ts';
import { WorkQueue } from './workqueue.ts';

type Informers = Record<string, SharedInformer<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
type ObjectOf<I> = I extends SharedInformer<infer T> ? T : never;

/** Options of startController. */
export interface StartControllerOptions<K extends {}, I extends Informers> {
  /** Names the queue (metrics label `name`) and the log lines. */
  name: string;
  clock: Clock;
  logger: Logger;
  /** The informers the controller reads; all have listed before the first reconcile. */
  informers: I;
  /** Per informer, the key(s) an event queues (`objectKey` when the entry is `true`; leave one out to only read it). */
  keys: { [P in keyof I]?: KeyFn<ObjectOf<I[P]>, K> | true };
  reconcile: Reconcile<K>;
  /**
   * Per informer, how often every cached object's keys are queued again even if nothing changed (the
   * level-based safety net, client-go's resync; unset = never). Only for informers that have keys.
   */
  resyncMs?: { [P in keyof I]?: number };
  /** Keys reconciled at once (default 2). */
  workers?: number;
  /** Where the queue's `drover_workqueue_*` metrics go (the API server's registry in drover dev/server). */
  metrics?: Registry;
  /** Retry delays (default: client-go's default controller rate limiter). */
  rateLimiter?: RateLimiter<K>;
  /** Stops the controller (and an unfinished start) when aborted. */
  signal?: AbortSignal;
}

/** A started controller. */
export interface StartedController<K extends {}, I extends Informers> {
  readonly queue: WorkQueue<K>;
  /** Resolves once the workers have returned after a stop. */
  readonly done: Promise<void>;
  /** The resourceVersion each informer has caught up to: a change at or below it has been queued. */
  lastSyncResourceVersions(): { [P in keyof I]: string };
  /**
   * Stop: unsubscribe, shut the queue down and wait for running reconciles. With `drain`, the keys already
   * queued are reconciled first (graceful shutdown); without, they are dropped (leadership lost: stop at once).
   */
  stop(opts?: { drain?: boolean }): Promise<void>;
}

/** Subscribe, wait for the informers' first lists, then reconcile until stopped. */
export async function startController<K extends {} = string, I extends Informers = Informers>(opts: StartControllerOptions<K, I>): Promise<StartedController<K, I>> {
  const queue = new WorkQueue<K>({ clock: opts.clock, rateLimiter: opts.rateLimiter, metrics: promWorkQueueMetrics(opts.metrics ?? new Registry(), opts.name) });
  const unsubscribe: Array<() => void> = [];
  for (const [name, keyFn] of Object.entries(opts.keys) as Array<[string, KeyFn<ApiObject, K> | true | undefined]>) {
    const informer = opts.informers[name];
    if (!informer) throw new Error(`controller ${opts.name}: keys given for unknown informer ${name}`);
    if (keyFn) unsubscribe.push(enqueueFromInformer<ApiObject, K>(informer, queue, keyFn === true ? undefined : keyFn));
  }
  for (const [name, ms] of Object.entries(opts.resyncMs ?? {}) as Array<[string, number | undefined]>) {
    const keyFn = opts.keys[name];
    if (!ms || ms <= 0 || !keyFn) continue;
    unsubscribe.push(resync(opts.clock, ms, opts.informers[name]!, queue, keyFn === true ? undefined : (keyFn as KeyFn<ApiObject, K>)));
  }
  const off = () => unsubscribe.splice(0).forEach((u) => u());
  const informers = Object.values(opts.informers);
  await Promise.race([Promise.all(informers.map((i) => i.start())), aborted(opts.signal)]);
  if (opts.signal?.aborted) {
    off();
    queue.shutDown();
    return stoppedController(queue, opts.informers);
  }
  const controller = runController({ name: opts.name, queue, workers: opts.workers ?? 2, reconcile: opts.reconcile, logger: opts.logger, clock: opts.clock, signal: opts.signal });
  void controller.done.then(off);
  return {
    queue,
    done: controller.done,
    lastSyncResourceVersions: () => revisions(opts.informers),
    async stop(stopOpts = {}) {
      off();
      if (stopOpts.drain) await queue.shutDownWithDrain();
      await controller.stop();
    },
  };
}

/** Every `ms`, queue the keys of every object cached in `informer` (as an update to itself); returns a cancel. */
function resync<K extends {}>(clock: Clock, ms: number, informer: SharedInformer<ApiObject>, queue: WorkQueue<K>, keyFn: KeyFn<ApiObject, K> | undefined): () => void {
  let timer: Timer | undefined;
  let cancelled = false;
  const tick = () => {
    if (cancelled) return;
    for (const obj of informer.list()) {
      const keys = keyFn ? keyFn(obj, 'update', obj) : (objectKey(obj) as unknown as K);
      if (keys === undefined) continue;
      if (Array.isArray(keys)) for (const k of keys as readonly K[]) queue.add(k);
      else queue.add(keys as K);
    }
    timer = clock.setTimeout(tick, ms);
  };
  timer = clock.setTimeout(tick, ms);
  return () => {
    cancelled = true;
    timer?.cancel();
  };
}

function stoppedController<K extends {}, I extends Informers>(queue: WorkQueue<K>, informers: I): StartedController<K, I> {
  return { queue, done: Promise.resolve(), lastSyncResourceVersions: () => revisions(informers), stop: async () => {} };
}

function revisions<I extends Informers>(informers: I): { [P in keyof I]: string } {
  return Object.fromEntries(Object.entries(informers).map(([k, i]) => [k, i.lastSyncResourceVersion()])) as { [P in keyof I]: string };
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
