// The controller runtime's public surface: import from here rather than from the individual files.
export { WorkQueue, type WorkQueueOptions, type WorkQueueMetrics } from './workqueue.ts';
export {
  exponentialBackoff,
  tokenBucket,
  maxOf,
  defaultControllerRateLimiter,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_BUCKET_QPS,
  DEFAULT_BUCKET_BURST,
  type RateLimiter,
  type ExponentialBackoffOptions,
  type BucketOptions,
} from './ratelimiter.ts';
export { runController, type ControllerOptions, type RunningController, type Reconcile, type ReconcileResult } from './controller.ts';
export { enqueueFromInformer, objectKey, splitKey, type EventSource, type InformerEvent, type KeyFn } from './enqueue.ts';
export { SharedInformerFactory, type SharedInformer, type IndexDefinition, type EventHandlers, type HandlerOptions, type InformerFactoryDeps } from '../../client/shared-informer.ts';
export { ALLOCS_BY_NODE, ALLOCS_BY_JOB, ALLOCS_BY_DEPLOYMENT, EVALS_BY_JOB, DEPLOYMENTS_BY_JOB, JOBS_BY_DEPENDENCY } from './indexes.ts';
export { startController, type StartControllerOptions, type StartedController } from './start.ts';
export { runElected, untilAborted, candidateIdentity, SYSTEM_NAMESPACE, DEFAULT_START_BACKOFF, type ElectedOptions, type ElectedWork, type Elected } from './elected.ts';
export { informersOf, type ControllerHost } from './host.ts';
export {
  LeaderElector,
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  DEFAULT_JITTER_FACTOR,
  type LeaderElectorOptions,
} from './leaderelection.ts';
export { clientLeaseClient, MemoryLeaseClient, type Lease, type LeaseSpec, type LeaseClient } from './leaseclient.ts';
export { promWorkQueueMetrics } from './metrics.ts';
