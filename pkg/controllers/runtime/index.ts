// The controller runtime's public surface: import from here rather than from the individual files.
export { WorkQueue, type WorkQueueOptions, type WorkQueueMetrics } from './workqueue.ts';
export { exponentialBackoff, DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS, type RateLimiter, type ExponentialBackoffOptions } from './ratelimiter.ts';
export { runController, type ControllerOptions, type RunningController, type Reconcile, type ReconcileResult } from './controller.ts';
export { enqueueFromInformer, objectKey, splitKey, type EventSource, type InformerEvent, type KeyFn } from './enqueue.ts';
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
