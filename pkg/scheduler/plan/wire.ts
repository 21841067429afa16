// The plan subresource's wire format: what a scheduler worker POSTs to
// /apis/drover.dev/v1/namespaces/{ns}/evaluations/{name}/plan and what it gets back. Plain JSON both ways.
// It lives with the scheduler's Plan (the worker builds it, pkg/plancommit answers it), so the worker and the
// committer both depend on the scheduler and never on each other.
import type { Allocation, Evaluation, EvaluationStatus } from '../../../api/schemas/index.ts';

/** The field manager recorded on every object the plan commit writes. */
export const SCHEDULER_MANAGER = 'drover-scheduler';

/** An allocation the plan stops (desiredStatus stop) or evicts (preempted by `preemptedBy`). */
export interface PlanStop {
  /** The Allocation's metadata.name. */
  name: string;
  desiredStatus: 'stop' | 'evict';
  description: string;
  preemptedBy?: string;
  /** The allocation's node is down: also set status.clientStatus = lost. */
  lost?: boolean;
}

/** An allocation moved to a new job version in place (same node, same resources). */
export interface PlanUpdate {
  name: string;
  jobVersion: number;
}

/** A node's state as far as reconciling allocations on it goes. */
export type NodeState = 'ready' | 'down' | 'draining' | 'ineligible' | 'gone';

/**
 * What the worker's plan was computed from, so the server can tell a stale view from a fresh one: the job's
 * identity and spec generation, the revisions its informers had reached, and the states of the nodes the plan
 * relied on (those hosting the job's live allocations, and the node that triggered the evaluation).
 */
export interface PlanBasis {
  /** The job the plan was computed for; null when the worker saw it deleted. */
  job: { uid?: string; generation: number } | null;
  /** lastSyncResourceVersion of the worker's informers, per plural. */
  revisions: { jobs: number; allocations: number; nodes: number };
  nodes: Record<string, NodeState>;
}

/** The evaluation's outcome, applied atomically with the fence once every part of the plan is committed. */
export interface EvalOutcome {
  /** The evaluation's new status (it replaces the old one). */
  status: EvaluationStatus;
  /** Evaluations to create (blocked, follow-ups), status included. Names are deterministic: retries are idempotent. */
  create: Evaluation[];
  /** Failed allocations whose reschedule waits for a follow-up evaluation. */
  followups: Array<{ name: string; followupEval: string }>;
}

/** The body of a plan submission. */
export interface PlanRequest {
  /** The worker's claim on the evaluation (fencing token); absent = the evaluation must be unclaimed. */
  claim?: { claimedBy: string; deliveries: number };
  /** Absent = no staleness check (hand-made plans). */
  basis?: PlanBasis;
  /** New allocations: metadata.name and spec (nodeName, jobName, groupName, resources, ports, previousAllocation...). */
  placements: Allocation[];
  stops: PlanStop[];
  updates: PlanUpdate[];
  /** Applied only when nothing was refused and the view was fresh. */
  outcome?: EvalOutcome;
}

/** How one touched node fared. */
export interface NodeResult {
  /** Placements committed on the node. */
  placed: number;
  /** Why (the rest of) the node's part was refused; absent when all of it committed. */
  refused?: string;
}

/** The answer to a plan submission (HTTP 200 also for partial commits: refusals are results, not errors). */
export interface PlanResponse {
  kind: 'PlanResult';
  apiVersion: 'drover.dev/v1';
  /** Per node touched by the plan. */
  nodes: Record<string, NodeResult>;
  /** Allocation names created, stopped, updated. */
  placed: string[];
  stopped: string[];
  updated: string[];
  /** Why nothing was attempted: the worker's view of the job was stale (see refresh). */
  stale?: string;
  /** Before re-planning: wait until the informer of each plural has reached this revision... */
  waitFor: Partial<Record<'allocations' | 'jobs' | 'nodes', number>>;
  /** ...and re-read these objects directly (they changed, possibly by a delete the informer shows later). */
  refetch: { jobs: string[]; nodes: string[] };
  /** The highest store revision this commit wrote or observed. */
  revision: number;
  /** Whether the outcome (evaluation status, new evaluations) was written. */
  outcomeApplied: boolean;
  /** The evaluation after the outcome. */
  evaluation?: Evaluation;
}

/** True when every touched node committed fully and the view was fresh. */
export function fullyCommitted(r: PlanResponse): boolean {
  return !r.stale && Object.values(r.nodes).every((n) => n.refused === undefined);
}
