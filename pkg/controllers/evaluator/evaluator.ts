// The evaluator: five level-based controllers over one set of informers. Informer events only queue keys
// (the payload is dropped); each reconcile re-reads the caches.
//
//   jobs ────────────▶ job queue      (job key; also jobs of allocations whose job is gone)
//   allocations ─────▶ failure queue  (failed allocations not yet evaluated)
//            └───────▶ node queue     (allocations on nodes that are gone)
//   nodes ───────────▶ node queue
//   evaluations ─────▶ blocked queue  (blocked ones, and the blocked ones of any evaluation's job)
//   capacity events ─▶ blocked queue  (every blocked evaluation)
//   timer ───────────▶ gc             (one key, requeued every gcIntervalMs)
import type { Allocation, Evaluation, Job, Node } from '../../../api/schemas/index.ts';
import type { Client } from '../../client/client.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { runController, type RunningController } from '../runtime/controller.ts';
import { enqueueFromInformer, objectKey } from '../runtime/enqueue.ts';
import { WorkQueue } from '../runtime/workqueue.ts';
import { reconcileBlocked } from './blocked.ts';
import { EvaluatorCache } from './cache.ts';
import { DEFAULT_EVALUATOR_CONFIG, type EvaluatorConfig, type EvaluatorContext } from './context.ts';
import { needsFailureEval, reconcileAllocFailure } from './failures.ts';
import { collectGarbage, GC_KEY } from './gc.ts';
import { reconcileJob } from './jobs.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { jobKey } from '../../../api/schemas/job-key.ts';
import { evalPhase } from './model.ts';
import { reconcileNode } from './nodes.ts';
import { EvalWriter } from './writer.ts';

/** Options of createEvaluator. */
export interface EvaluatorOptions {
  client: Client;
  clock: Clock;
  logger: Logger;
  /** Random source in [0, 1) for evaluation names (default Math.random). */
  random?: () => number;
  config?: Partial<EvaluatorConfig>;
}

/** An evaluator: start() runs it until stop(). The reconcilers are exposed for tests and tools. */
export interface Evaluator {
  readonly context: EvaluatorContext;
  /** Start the informers, wait for them to list, then start the controllers. */
  start(): Promise<void>;
  /** Stop the controllers (waiting for running reconciles) and the informers. */
  stop(): Promise<void>;
  reconcileJob(key: string): Promise<void>;
  reconcileNode(name: string): Promise<void>;
  reconcileAllocFailure(key: string): Promise<void>;
  reconcileBlocked(key: string): Promise<void>;
  collectGarbage(): Promise<void>;
}

/** Build an evaluator (nothing runs until start()). */
export function createEvaluator(opts: EvaluatorOptions): Evaluator {
  const config: EvaluatorConfig = { ...DEFAULT_EVALUATOR_CONFIG, ...opts.config, workers: { ...DEFAULT_EVALUATOR_CONFIG.workers, ...opts.config?.workers } };
  const logger = opts.logger.child({ component: 'evaluator' });
  const cache = new EvaluatorCache({ client: opts.client, clock: opts.clock, logger, resyncMs: config.resyncMs || undefined });
  const writer = new EvalWriter({ client: opts.client, cache, clock: opts.clock, logger, random: opts.random ?? Math.random });
  const ctx: EvaluatorContext = { cache, writer, clock: opts.clock, logger, config };
  const queues = {
    jobs: new WorkQueue<string>({ clock: opts.clock }),
    nodes: new WorkQueue<string>({ clock: opts.clock }),
    failures: new WorkQueue<string>({ clock: opts.clock }),
    blocked: new WorkQueue<string>({ clock: opts.clock }),
    gc: new WorkQueue<string>({ clock: opts.clock }),
  };
  wire(cache, queues);
  let running: RunningController[] = [];
  return {
    context: ctx,
    async start() {
      await cache.start();
      queues.gc.add(GC_KEY);
      const run = (name: string, queue: WorkQueue<string>, workers: number, fn: (key: string) => Promise<unknown>) =>
        runController({ name: `evaluator-${name}`, queue, workers, logger, clock: opts.clock, reconcile: async (key) => (await fn(key)) ?? undefined });
      running = [
        run('jobs', queues.jobs, config.workers.jobs, (k) => reconcileJob(ctx, k)),
        run('nodes', queues.nodes, config.workers.nodes, (k) => reconcileNode(ctx, k)),
        run('failures', queues.failures, config.workers.failures, (k) => reconcileAllocFailure(ctx, k)),
        run('blocked', queues.blocked, config.workers.blocked, (k) => reconcileBlocked(ctx, k)),
        run('gc', queues.gc, 1, () => collectGarbage(ctx)),
      ];
      logger.info('evaluator started');
    },
    async stop() {
      for (const q of Object.values(queues)) q.shutDown();
      await Promise.all(running.map((r) => r.stop()));
      cache.stop();
      logger.info('evaluator stopped');
    },
    reconcileJob: (key) => reconcileJob(ctx, key),
    reconcileNode: (name) => reconcileNode(ctx, name),
    reconcileAllocFailure: (key) => reconcileAllocFailure(ctx, key),
    reconcileBlocked: (key) => reconcileBlocked(ctx, key),
    collectGarbage: async () => void (await collectGarbage(ctx)),
  };
}

type Queues = Record<'jobs' | 'nodes' | 'failures' | 'blocked' | 'gc', WorkQueue<string>>;

/** Informer events → queue keys (see the diagram at the top). */
function wire(cache: EvaluatorCache, queues: Queues): void {
  enqueueFromInformer<Job>(cache.jobs, queues.jobs);
  enqueueFromInformer<Job>(cache.jobs, queues.blocked, (j) => blockedOfJob(cache, j.metadata.namespace ?? 'default', j.metadata.name));
  enqueueFromInformer<Node>(cache.nodes, queues.nodes, (n) => n.metadata.name);
  enqueueFromInformer<Allocation>(cache.allocs, queues.failures, (a, event) => (event !== 'delete' && needsFailureEval(a) ? objectKey(a) : undefined));
  enqueueFromInformer<Allocation>(cache.allocs, queues.jobs, (a) => {
    const ns = a.metadata.namespace ?? 'default';
    const job = cache.job(ns, a.spec.jobName);
    return !job || job.metadata.deletionTimestamp ? jobKey(ns, a.spec.jobName) : undefined;
  });
  enqueueFromInformer<Allocation>(cache.allocs, queues.nodes, (a) => (isLive(a) && !cache.node(a.spec.nodeName) ? a.spec.nodeName : undefined));
  // The evaluation itself too, whatever its phase: a reconcile of one no longer blocked forgets its search memo.
  enqueueFromInformer<Evaluation>(cache.evals, queues.blocked, (e) => [...blockedOfJob(cache, e.metadata.namespace ?? 'default', e.spec.jobName), objectKey(e)]);
  // Capacity events come by the thousand (every allocation that ends): coalesce them into one pass over the
  // blocked evaluations per turn of the event loop.
  let flushing = false;
  cache.onCapacity(() => {
    if (flushing) return;
    flushing = true;
    setImmediate(() => {
      flushing = false;
      for (const k of cache.evalIndex.blocked()) queues.blocked.add(k);
    });
  });
}

function blockedOfJob(cache: EvaluatorCache, namespace: string, name: string): string[] {
  return cache.evalsOf(namespace, name).filter((e) => evalPhase(e) === 'blocked').map(objectKey);
}
