// Prometheus metrics of one API server instance, in its own Registry (never prom-client's global one, so two
// servers in one process — tests, `drover dev` — do not collide). Names follow kube-apiserver's; the process's
// V8 heap figures use prom-client's default-metric names (read at scrape time: the whole process, not one server).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The metrics one API server records. */
export class ApiMetrics {
  /** The registry served at /metrics. */
  readonly registry = new Registry();
  /** Request latency by verb (LIST, GET, WATCH, POST, PUT, PATCH, APPLY, DELETE...), resource and code. */
  readonly requestDuration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, resource and code.',
    labelNames: ['verb', 'resource', 'subresource', 'code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  /** Requests by verb, resource and code. */
  readonly requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, resource and HTTP response code.',
    labelNames: ['verb', 'resource', 'subresource', 'code'],
    registers: [this.registry],
  });
  /** Open long-running requests (watches) by resource. */
  readonly longRunning = new Gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests (watches) broken out by verb and resource.',
    labelNames: ['verb', 'resource'],
    registers: [this.registry],
  });
  /** Watch events sent, by resource. */
  readonly watchEvents = new Counter({
    name: 'apiserver_watch_events_total',
    help: 'Number of events sent in watch clients.',
    labelNames: ['resource', 'type'],
    registers: [this.registry],
  });
  /** Store compactions done and the revision compacted to. */
  readonly compactions = new Counter({
    name: 'apiserver_storage_compactions_total',
    help: 'Number of store compactions this server performed.',
    registers: [this.registry],
  });
  /** The revision of the last compaction. */
  readonly compactedRevision = new Gauge({
    name: 'apiserver_storage_compacted_revision',
    help: 'The store revision this server last compacted to.',
    registers: [this.registry],
  });
  /** The process's V8 heap in use and reserved (process.memoryUsage() when scraped), for memory benchmarks and alerts. */
  readonly heapUsed = new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    registers: [this.registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  readonly heapTotal = new Gauge({
    name: 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    registers: [this.registry],
    collect() {
      this.set(process.memoryUsage().heapTotal);
    },
  });
}
