// Kubernetes' partial-disruption rule (the node lifecycle controller's unhealthy-zone threshold): when a large
// part of the cluster misses its heartbeats at once, the likelier cause is the control plane or the network,
// not that many machines died together. Marking them all down would replace every allocation at once, so nodes
// are then marked down at a slow rate (large clusters) or not at all (small ones) until the disruption ends.

/** Thresholds and rates (Kubernetes' defaults). */
export interface DisruptionOptions {
  /** Fraction of nodes that must be unhealthy (with more than two) for a partial disruption (default 0.55). */
  unhealthyThreshold?: number;
  /** Above this many nodes a cluster is large: in a disruption it goes on at `largeClusterRate` (default 50). */
  largeClusterSize?: number;
  /** Nodes per second marked down during a disruption of a large cluster (default 0.01; small clusters: none). */
  largeClusterRate?: number;
}

/** Normal, or most of the cluster silent at once (partial), or all of it (full). */
export type DisruptionState = 'normal' | 'partial' | 'full';

export const DEFAULT_UNHEALTHY_THRESHOLD = 0.55;
export const DEFAULT_LARGE_CLUSTER_SIZE = 50;
export const DEFAULT_LARGE_CLUSTER_RATE = 0.01;

/** The state of a cluster of `total` nodes of which `unhealthy` miss their lease or are down. */
export function disruptionState(total: number, unhealthy: number, threshold = DEFAULT_UNHEALTHY_THRESHOLD): DisruptionState {
  if (unhealthy <= 2 || total === 0) return 'normal';
  if (unhealthy >= total) return 'full';
  return unhealthy / total >= threshold ? 'partial' : 'normal';
}

/** What the gate says about marking one more node down. */
export interface GateDecision {
  allowed: boolean;
  state: DisruptionState;
  /** Why it was held back (for the log and the Event), when it was. */
  reason?: string;
}

/**
 * Decides whether a node may be marked down now. In a disruption a token bucket (holding one token, refilled
 * 1/rate seconds after it was taken) lets nodes through one at a time; normal clusters are not limited.
 */
export class DisruptionGate {
  private readonly threshold: number;
  private readonly largeSize: number;
  private readonly rate: number;
  /** When (our clock) the bucket holds its one token again. */
  private tokenAt = -Infinity;

  constructor(opts: DisruptionOptions = {}) {
    this.threshold = opts.unhealthyThreshold ?? DEFAULT_UNHEALTHY_THRESHOLD;
    this.largeSize = opts.largeClusterSize ?? DEFAULT_LARGE_CLUSTER_SIZE;
    this.rate = opts.largeClusterRate ?? DEFAULT_LARGE_CLUSTER_RATE;
    if (!(this.threshold > 0 && this.threshold <= 1)) throw new RangeError(`unhealthy threshold must be in (0, 1], got ${this.threshold}`);
    if (!(this.rate >= 0)) throw new RangeError(`large-cluster rate must be ≥ 0, got ${this.rate}`);
  }

  /** The rate nodes go down at in a disruption of a cluster of `total` nodes (per second; 0 = stopped). */
  disruptedRate(total: number): number {
    return total > this.largeSize ? this.rate : 0;
  }

  /** May one more node be marked down at `now`, with `unhealthy` of `total` nodes silent or down? Takes a token if so. */
  decide(now: number, total: number, unhealthy: number): GateDecision {
    const state = disruptionState(total, unhealthy, this.threshold);
    if (state === 'normal') return { allowed: true, state };
    const rate = this.disruptedRate(total);
    const what = `${unhealthy} of ${total} nodes missed their lease at once (${state} disruption, threshold ${this.threshold})`;
    if (rate === 0) return { allowed: false, state, reason: `${what}: a cluster of ≤ ${this.largeSize} nodes marks none down until it ends` };
    if (now >= this.tokenAt) {
      this.tokenAt = now + 1000 / rate;
      return { allowed: true, state };
    }
    return { allowed: false, state, reason: `${what}: marking nodes down at ${rate}/s` };
  }

  /** When (our clock) the next token comes, for a requeue; Infinity when the rate is 0. */
  nextTokenAt(now: number, total: number): number {
    const rate = this.disruptedRate(total);
    if (rate === 0) return Infinity;
    return Math.max(now, this.tokenAt);
  }
}
