// Flow control's metrics, in the server's registry, named as kube-apiserver's APF metrics.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The metrics of one FlowControl. */
export class FlowControlMetrics {
  readonly executing: Gauge<'priority_level'>;
  readonly inQueue: Gauge<'priority_level'>;
  readonly rejected: Counter<'priority_level' | 'reason'>;
  readonly dispatched: Counter<'priority_level'>;
  readonly waitDuration: Histogram<'priority_level'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.executing = new Gauge({ name: 'apiserver_flowcontrol_current_executing_requests', help: 'Requests holding a seat, by priority level.', labelNames: ['priority_level'], registers });
    this.inQueue = new Gauge({ name: 'apiserver_flowcontrol_current_inqueue_requests', help: 'Requests waiting in a queue, by priority level.', labelNames: ['priority_level'], registers });
    this.rejected = new Counter({ name: 'apiserver_flowcontrol_rejected_requests_total', help: 'Requests answered 429 by flow control, by priority level and reason (queue-full, time-out, cancelled: the client went away while queued).', labelNames: ['priority_level', 'reason'], registers });
    this.dispatched = new Counter({ name: 'apiserver_flowcontrol_dispatched_requests_total', help: 'Requests given a seat, by priority level.', labelNames: ['priority_level'], registers });
    this.waitDuration = new Histogram({
      name: 'apiserver_flowcontrol_request_wait_duration_seconds',
      help: 'Time requests waited in a queue before a seat or a rejection, by priority level.',
      labelNames: ['priority_level'],
      buckets: [0, 0.005, 0.02, 0.1, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }
}
