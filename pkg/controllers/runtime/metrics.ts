// Prometheus metrics for work queues, named after client-go's workqueue metrics, one label per queue name.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WorkQueueMetrics } from './workqueue.ts';

const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60];

/** Get the metric `name` from `registry`, creating it once (several queues share one metric by label). */
function once<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** WorkQueueMetrics for the queue `queue`, registered in `registry`. */
export function promWorkQueueMetrics(registry: Registry, queue: string): WorkQueueMetrics {
  const registers = [registry];
  const labelNames = ['name'] as const;
  const depth = once(registry, 'drover_workqueue_depth', () => new Gauge({ name: 'drover_workqueue_depth', help: 'Keys waiting in the work queue.', labelNames, registers }));
  const adds = once(registry, 'drover_workqueue_adds_total', () => new Counter({ name: 'drover_workqueue_adds_total', help: 'Keys added to the work queue.', labelNames, registers }));
  const retries = once(registry, 'drover_workqueue_retries_total', () => new Counter({ name: 'drover_workqueue_retries_total', help: 'Keys re-queued with backoff after a failure.', labelNames, registers }));
  const wait = once(registry, 'drover_workqueue_queue_duration_seconds', () =>
    new Histogram({ name: 'drover_workqueue_queue_duration_seconds', help: 'Time a key waits before a worker takes it.', labelNames, buckets: BUCKETS, registers }),
  );
  const work = once(registry, 'drover_workqueue_work_duration_seconds', () =>
    new Histogram({ name: 'drover_workqueue_work_duration_seconds', help: 'Time a worker holds a key.', labelNames, buckets: BUCKETS, registers }),
  );
  const labels = { name: queue };
  return {
    depth: (n) => depth.set(labels, n),
    add: () => adds.inc(labels),
    retry: () => retries.inc(labels),
    queueLatency: (ms) => wait.observe(labels, ms / 1000),
    workDuration: (ms) => work.observe(labels, ms / 1000),
  };
}
