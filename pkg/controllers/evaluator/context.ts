// What every evaluator reconciler receives, and the evaluator's tunables.
import type { Job } from '../../../api/schemas/index.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { EvaluatorCache } from './cache.ts';
import { jobVersionOf } from './model.ts';
import type { EvalRequest, EvalWriter } from './writer.ts';

/** The evaluator's tunables. */
export interface EvaluatorConfig {
  /** Finished evaluations older than this are deleted (Nomad's eval_gc_threshold, 1 h). */
  gcThresholdMs: number;
  /** Time between garbage collection rounds (5 min). */
  gcIntervalMs: number;
  /** Informer resync of jobs, nodes and evaluations: the level-based safety net (10 min; 0 = never). */
  resyncMs: number;
  /** Concurrent reconciles per controller. */
  workers: { jobs: number; nodes: number; failures: number; blocked: number; dependencies: number };
}

/** The defaults. */
export const DEFAULT_EVALUATOR_CONFIG: EvaluatorConfig = {
  gcThresholdMs: 3_600_000,
  gcIntervalMs: 300_000,
  resyncMs: 600_000,
  workers: { jobs: 4, nodes: 4, failures: 2, blocked: 2, dependencies: 2 },
};

/** What a reconciler works with. */
export interface EvaluatorContext {
  cache: EvaluatorCache;
  writer: EvalWriter;
  clock: Clock;
  logger: Logger;
  config: EvaluatorConfig;
}

/** An evaluation request for `job` triggered by `triggeredBy`. */
export function requestFor(job: Job, triggeredBy: EvalRequest['triggeredBy'], nodeName?: string): EvalRequest {
  const req: EvalRequest = {
    namespace: job.metadata.namespace ?? 'default',
    jobName: job.metadata.name,
    jobVersion: jobVersionOf(job),
    priority: job.spec.priority ?? 50,
    type: job.spec.type ?? 'service',
    triggeredBy,
  };
  if (nodeName) req.nodeName = nodeName;
  return req;
}
