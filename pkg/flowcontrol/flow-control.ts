// API Priority and Fairness, simplified: every resource request is classified into a priority level and a flow,
// and waits for a seat of its level. Levels do not borrow from each other, so lists and watches filling their
// level never take a seat from node heartbeats. Long-running requests (watches) hold their seat only while they
// start (until the handler has begun streaming), as kube-apiserver counts a watch only during its initialization.
import type { Registry } from 'prom-client';
import type { Clock } from '../clock/clock.ts';
import { classify, type Classification, type RequestDescriptor } from './classify.ts';
import { seatsByLevel, validateFlowControl, type FlowControlConfig } from './config.ts';
import { FairQueue, type RejectReason, type Seat } from './fair-queue.ts';
import { FlowControlMetrics } from './metrics.ts';

/** The answer to one request. */
export type FlowDecision =
  | { admitted: true; seat: Seat; classification: Classification }
  | { admitted: false; reason: RejectReason; classification: Classification; retryAfterSeconds: number };

/** Seconds a rejected client is told to wait (kube-apiserver says 1). */
export const RETRY_AFTER_SECONDS = 1;

/** Flow control over a set of levels. */
export class FlowControl {
  private readonly levels = new Map<string, FairQueue>();
  private readonly metrics?: FlowControlMetrics;
  private readonly classifier: (d: RequestDescriptor) => Classification;

  constructor(cfg: FlowControlConfig, deps: { clock: Clock; registry?: Registry; classifier?: (d: RequestDescriptor) => Classification }) {
    validateFlowControl(cfg);
    const seats = seatsByLevel(cfg);
    for (const l of cfg.levels) {
      this.levels.set(l.name, new FairQueue({ seats: seats.get(l.name)!, queues: l.queues, queueLengthLimit: l.queueLengthLimit, maxQueueWaitMs: cfg.maxQueueWaitMs, clock: deps.clock }));
    }
    this.classifier = deps.classifier ?? classify;
    if (deps.registry) this.metrics = new FlowControlMetrics(deps.registry);
  }

  /** Seats and queue lengths of a level (tests and metrics). */
  level(name: string): FairQueue | undefined {
    return this.levels.get(name);
  }

  /** Classify `d` and wait for `width` seats of its level (or a rejection); width: work-estimate.ts. */
  async admit(d: RequestDescriptor, width = 1, signal?: AbortSignal): Promise<FlowDecision> {
    const classification = this.classifier(d);
    const level = this.levels.get(classification.level);
    if (!level) throw new Error(`classified into unknown priority level ${classification.level}`);
    const m = this.metrics;
    const labels = { priority_level: classification.level };
    m?.inQueue.inc(labels);
    const a = await level.admit(classification.flow, width, signal);
    m?.inQueue.dec(labels);
    m?.waitDuration.observe(labels, a.waitedMs / 1000);
    if (!a.admitted) {
      m?.rejected.inc({ ...labels, reason: a.reason });
      return { admitted: false, reason: a.reason, classification, retryAfterSeconds: RETRY_AFTER_SECONDS };
    }
    m?.dispatched.inc(labels);
    m?.executing.inc(labels);
    let held = true;
    const seat: Seat = {
      release: () => {
        if (!held) return;
        held = false;
        m?.executing.dec(labels);
        a.seat.release();
      },
    };
    return { admitted: true, seat, classification };
  }
}
