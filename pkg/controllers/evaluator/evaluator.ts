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
//   jobs (+ their dependents), allocations and finished evaluations of jobs with dependencies
//                    ─▶ dependency queue (job key: a held group became free → job-dependency)
import type { Allocation, Evaluation, Job, Node } from '../../../api/schemas/index.ts';
import { informersOf, objectKey, startController, type ControllerHost } from '../runtime/index.ts';
import { reconcileBlocked } from './blocked.ts';
import { EvaluatorCache } from './cache.ts';
import { DEFAULT_EVALUATOR_CONFIG, type EvaluatorConfig, type EvaluatorContext } from './context.ts';
import { needsFailureEval, reconcileAllocFailure } from './failures.ts';
import { collectGarbage, GC_KEY } from './gc.ts';
import { reconcileJob } from './jobs.ts';
import { DependencyMemo, reconcileDependencies } from './dependencies.ts';
import { hasDependencies } from '../../../api/schemas/job-dependencies.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { jobKey } from '../../../api/schemas/job-key.ts';
import { evalPhase } from './model.ts';
import { reconcileNode } from './nodes.ts';
import { EvalWriter } from './writer.ts';

/** Options of createEvaluator. */
export interface EvaluatorOptions extends ControllerHost {
  /** Random source in [0, 1) for evaluation names (default Math.random). */
  random?: () => number;
  config?: Partial<EvaluatorConfig>;
}

/** An evaluator: start() runs it until stop(). The reconcilers are exposed for tests and tools. */
export interface Evaluator {
  readonly context: EvaluatorContext;
  /** Wait for the informers to list, then start the controllers. */
  start(): Promise<void>;
  /** Stop the controllers (waiting for running reconciles) and unsubscribe from the informers. */
  stop(): Promise<void>;
  reconcileJob(key: string): Promise<void>;
  reconcileNode(name: string): Promise<void>;
  reconcileAllocFailure(key: string): Promise<void>;
  reconcileBlocked(key: string): Promise<void>;
  reconcileDependencies(key: string): Promise<void>;
  collectGarbage(): Promise<void>;
}

/** Build an evaluator (nothing runs until start()). */
export function createEvaluator(opts: EvaluatorOptions): Evaluator {
  const config: EvaluatorConfig = { ...DEFAULT_EVALUATOR_CONFIG, ...opts.config, workers: { ...DEFAULT_EVALUATOR_CONFIG.workers, ...opts.config?.workers } };
  const logger = opts.logger.child({ component: 'evaluator' });
  const { informers, owned } = informersOf(opts);
  const cache = new EvaluatorCache(informers);
  const writer = new EvalWriter({ client: opts.client, cache, clock: opts.clock, logger, random: opts.random ?? Math.random });
  const ctx: EvaluatorContext = { cache, writer, clock: opts.clock, logger, config };
  const memo = new DependencyMemo();
  let running: Array<{ stop(): Promise<void> }> = [];
  let stopCapacity = () => {};
  return {
    context: ctx,
    async start() {
      await cache.start();
      const controllers = await startControllers(opts, cache, ctx, config, memo);
      running = Object.values(controllers);
      stopCapacity = coalesceCapacity(cache, (k) => controllers.blocked.queue.add(k));
      logger.info('evaluator started');
    },
    async stop() {
      stopCapacity();
      await Promise.all(running.map((r) => r.stop()));
      cache.stop();
      if (owned) informers.stop();
      logger.info('evaluator stopped');
    },
    reconcileJob: (key) => reconcileJob(ctx, key),
    reconcileNode: (name) => reconcileNode(ctx, name),
    reconcileAllocFailure: (key) => reconcileAllocFailure(ctx, key),
    reconcileBlocked: (key) => reconcileBlocked(ctx, key),
    reconcileDependencies: (key) => reconcileDependencies(ctx, memo, key),
    collectGarbage: async () => void (await collectGarbage(ctx)),
  };
}

/**
 * The five controllers (see the diagram at the top), each a startController over the shared informers: informer
 * events only queue keys; each reconcile re-reads the caches.
 */
async function startControllers(opts: EvaluatorOptions, cache: EvaluatorCache, ctx: EvaluatorContext, config: EvaluatorConfig, memo: DependencyMemo) {
  const { jobs, nodes, allocs: allocations, evals: evaluations } = cache;
  const resyncMs = config.resyncMs || undefined;
  const common = { clock: opts.clock, logger: ctx.logger, metrics: opts.metrics };
  const reconcile = (fn: (key: string) => Promise<unknown>) => async (key: string) => void (await fn(key));
  const jobOfAlloc = (a: Allocation) => {
    const ns = a.metadata.namespace ?? 'default';
    const job = cache.job(ns, a.spec.jobName);
    return !job || job.metadata.deletionTimestamp ? jobKey(ns, a.spec.jobName) : undefined;
  };
  const withDependencies = (ns: string, name: string) => {
    const j = cache.job(ns, name);
    return j && hasDependencies(j) ? jobKey(ns, name) : undefined;
  };
  const [jobsC, nodesC, failuresC, blockedC, gcC, depsC] = await Promise.all([
    startController({
      ...common, name: 'evaluator-jobs', workers: config.workers.jobs, informers: { jobs, allocations }, resyncMs: { jobs: resyncMs },
      keys: { jobs: true, allocations: jobOfAlloc },
      reconcile: reconcile((k) => reconcileJob(ctx, k)),
    }),
    startController({
      ...common, name: 'evaluator-nodes', workers: config.workers.nodes, informers: { nodes, allocations }, resyncMs: { nodes: resyncMs },
      keys: {
        nodes: (n: Node) => n.metadata.name,
        allocations: (a: Allocation) => (isLive(a) && !cache.node(a.spec.nodeName) ? a.spec.nodeName : undefined),
      },
      reconcile: reconcile((k) => reconcileNode(ctx, k)),
    }),
    startController({
      ...common, name: 'evaluator-failures', workers: config.workers.failures, informers: { allocations },
      keys: { allocations: (a: Allocation, event) => (event !== 'delete' && needsFailureEval(a) ? objectKey(a) : undefined) },
      reconcile: reconcile((k) => reconcileAllocFailure(ctx, k)),
    }),
    // The evaluation itself too, whatever its phase: a reconcile of one no longer blocked forgets its search memo.
    startController({
      ...common, name: 'evaluator-blocked', workers: config.workers.blocked, informers: { jobs, evaluations }, resyncMs: { evaluations: resyncMs },
      keys: {
        jobs: (j: Job) => blockedOfJob(cache, j.metadata.namespace ?? 'default', j.metadata.name),
        evaluations: (e: Evaluation) => [...blockedOfJob(cache, e.metadata.namespace ?? 'default', e.spec.jobName), objectKey(e)],
      },
      reconcile: reconcile((k) => reconcileBlocked(ctx, k)),
    }),
    startController({ ...common, name: 'evaluator-gc', workers: 1, informers: {}, keys: {}, reconcile: reconcile(() => collectGarbage(ctx)) }),
    // A dependency's status change queues its dependents; a job's own allocations (group dependencies) and the
    // end of its evaluations (what they held) queue the job.
    startController({
      ...common, name: 'evaluator-dependencies', workers: config.workers.dependencies, informers: { jobs, allocations, evaluations },
      keys: {
        jobs: (j: Job) => {
          const ns = j.metadata.namespace ?? 'default';
          return [...(hasDependencies(j) ? [objectKey(j)] : []), ...cache.dependentsOf(ns, j.metadata.name).map(objectKey)];
        },
        allocations: (a: Allocation) => withDependencies(a.metadata.namespace ?? 'default', a.spec.jobName),
        evaluations: (e: Evaluation) => (evalPhase(e) === 'pending' || evalPhase(e) === 'blocked' ? undefined : withDependencies(e.metadata.namespace ?? 'default', e.spec.jobName)),
      },
      reconcile: reconcile((k) => reconcileDependencies(ctx, memo, k)),
    }),
  ]);
  gcC.queue.add(GC_KEY);
  return { jobs: jobsC, nodes: nodesC, failures: failuresC, blocked: blockedC, gc: gcC, dependencies: depsC };
}

/**
 * Capacity events come by the thousand (every allocation that ends): coalesce them into one pass over the
 * blocked evaluations per turn of the event loop. Returns a stop.
 */
function coalesceCapacity(cache: EvaluatorCache, add: (key: string) => void): () => void {
  let flushing = false;
  let stopped = false;
  cache.onCapacity(() => {
    if (flushing || stopped) return;
    flushing = true;
    setImmediate(() => {
      flushing = false;
      if (!stopped) for (const k of cache.evalIndex.blocked()) add(k);
    });
  });
  return () => void (stopped = true);
}

function blockedOfJob(cache: EvaluatorCache, namespace: string, name: string): string[] {
  return cache.evalsOf(namespace, name).filter((e) => evalPhase(e) === 'blocked').map(objectKey);
}
