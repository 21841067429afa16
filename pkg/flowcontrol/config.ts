// The configuration of flow control: the priority levels, their concurrency shares and queues, and how the
// server's total concurrency is divided among them (Kubernetes' assured concurrency shares).
import { LEVELS } from './classify.ts';

/** One priority level. */
export interface PriorityLevelConfig {
  name: string;
  /** Its share of the server's total concurrency (relative to the other levels' shares). */
  shares: number;
  /** Queues of the level; flows are spread over them and served round-robin. */
  queues: number;
  /** Requests one queue may hold; one more is rejected at once. */
  queueLengthLimit: number;
}

/** Options of flow control (server flags map onto these). */
export interface FlowControlConfig {
  /** Seats for all levels together (`--max-requests-inflight`). */
  totalSeats: number;
  /** Longest a request waits in its queue before it is answered 429 (`--flowcontrol-queue-wait`). */
  maxQueueWaitMs: number;
  /** The levels (default: DEFAULT_LEVELS). */
  levels: PriorityLevelConfig[];
}

/** System requests get the largest assured share; one queue per flow up to 64 per level. */
export const DEFAULT_LEVELS: PriorityLevelConfig[] = [
  { name: LEVELS.system, shares: 40, queues: 64, queueLengthLimit: 200 },
  { name: LEVELS.workloadHigh, shares: 30, queues: 64, queueLengthLimit: 50 },
  { name: LEVELS.globalDefault, shares: 30, queues: 64, queueLengthLimit: 50 },
];

/** Defaults: 100 seats (the server is one event loop: more in flight only adds memory), 10 s queue wait. */
export const DEFAULT_FLOW_CONTROL: FlowControlConfig = { totalSeats: 100, maxQueueWaitMs: 10_000, levels: DEFAULT_LEVELS };

/** Seats of each level: its share of the total, rounded up, at least one. */
export function seatsByLevel(cfg: Pick<FlowControlConfig, 'totalSeats' | 'levels'>): Map<string, number> {
  const sum = cfg.levels.reduce((s, l) => s + l.shares, 0);
  return new Map(cfg.levels.map((l) => [l.name, Math.max(1, Math.ceil((cfg.totalSeats * l.shares) / sum))]));
}

/** Reject a configuration that cannot work (the server refuses to start with it). */
export function validateFlowControl(cfg: FlowControlConfig): void {
  if (!Number.isInteger(cfg.totalSeats) || cfg.totalSeats < 1) throw new RangeError(`max requests in flight must be a positive integer, got ${cfg.totalSeats}`);
  if (!(cfg.maxQueueWaitMs >= 0)) throw new RangeError(`queue wait must be ≥ 0, got ${cfg.maxQueueWaitMs}`);
  const names = new Set<string>();
  for (const l of cfg.levels) {
    if (names.has(l.name)) throw new RangeError(`priority level ${l.name} given twice`);
    names.add(l.name);
    if (!(l.shares > 0) || !(l.queues >= 1) || !(l.queueLengthLimit >= 0)) throw new RangeError(`priority level ${l.name}: shares > 0, queues ≥ 1 and queueLengthLimit ≥ 0 required`);
  }
  for (const need of Object.values(LEVELS)) if (!names.has(need)) throw new RangeError(`priority level ${need} is missing`);
}
