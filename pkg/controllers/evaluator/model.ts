// The evaluator's vocabulary: what counts as a pending, claimed, blocked or finished evaluation, which
// allocations a node change concerns, when a node can take work, and the annotations in which the evaluator records
// what it has already evaluated (so a new leader, or a restarted one, neither misses nor repeats a trigger).
import type { Allocation, Evaluation, Job, Node } from '../../../api/schemas/index.ts';
import { isLive, isLostUnstopped } from '../../../api/schemas/allocation-state.ts';
import { jobVersion } from '../../../api/schemas/job-version.ts';

/** Field manager of every write the evaluator makes. */
export const FIELD_MANAGER = 'drover-evaluator';
/** On a Node: the node state (phase/eligibility/drain) the evaluator last evaluated. */
export const NODE_STATE = 'evaluator.drover.dev/node-state';
/** On a failed Allocation: the evaluation created (or reused) to reschedule it. */
export const FAILURE_EVAL = 'evaluator.drover.dev/failure-eval';

/** An evaluation's phase; no status yet counts as pending (as the scheduler workers read it). */
export type EvalPhase = NonNullable<NonNullable<Evaluation['status']>['phase']>;

/** The phase of `e`. */
export function evalPhase(e: Evaluation): EvalPhase {
  return e.status?.phase ?? 'pending';
}

/** Phases an evaluation never leaves. */
export const TERMINAL_PHASES: ReadonlySet<EvalPhase> = new Set(['complete', 'failed', 'canceled']);

/** Milliseconds of an RFC 3339 time, or undefined. */
export function timeOf(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Pending, claimed by nobody and due: the only evaluations the evaluator may supersede, and the ones that make a
 * new evaluation of the same job redundant. A delayed one (waitUntil in the future) is a scheduled reschedule.
 */
export function isOpenPending(e: Evaluation, now: number): boolean {
  if (evalPhase(e) !== 'pending' || e.status?.claimedBy) return false;
  const due = timeOf(e.spec.waitUntil);
  return due === undefined || due <= now;
}

/** The resourceVersion as a number (0 when absent). */
export function rvOf(obj: { metadata: { resourceVersion?: string } }): number {
  return Number(obj.metadata.resourceVersion ?? 0);
}

/** Newest first: creation time, then resourceVersion, then name. */
export function newestFirst(a: Evaluation, b: Evaluation): number {
  return (timeOf(b.metadata.creationTimestamp) ?? 0) - (timeOf(a.metadata.creationTimestamp) ?? 0) || rvOf(b) - rvOf(a) || (a.metadata.name < b.metadata.name ? 1 : -1);
}

/**
 * Whether a node change concerns the allocation's job: it holds resources there, or it was marked lost (the
 * health controller does that when the node goes down, possibly before the evaluator sees the node change) and
 * is still desired to run without a replacement.
 */
export function affectedByNode(a: Allocation): boolean {
  if (isLive(a)) return true;
  return isLostUnstopped({ desiredStatus: a.spec.desiredStatus, clientStatus: a.status?.clientStatus }) && !a.spec.nextAllocation;
}

/** Whether new allocations may be placed on the node: ready, eligible, not draining. */
export function isSchedulable(n: Node): boolean {
  return n.status?.phase === 'ready' && (n.spec?.eligibility ?? 'eligible') === 'eligible' && !n.spec?.drain;
}

/** The node state the evaluator records: `phase/eligibility/drain`, e.g. `ready/eligible/-`. */
export function nodeState(n: Node): string {
  return `${n.status?.phase ?? 'initializing'}/${n.spec?.eligibility ?? 'eligible'}/${n.spec?.drain ? 'draining' : '-'}`;
}

/** Whether a recorded node state is a schedulable one. */
export function isSchedulableState(state: string | undefined): boolean {
  return state === 'ready/eligible/-';
}

/** The job's version as the scheduler reads it (api/schemas/job-version.ts). */
export const jobVersionOf = (job: Job): number => jobVersion(job);

/** Periodic and parameterized jobs are templates: their launches are evaluated, not the template itself. */
export { isTemplate } from '../../../api/schemas/job-launch.ts';

/** Whether the job is gone or going: deleted, being deleted, or stopped (api/schemas/job-stopping.ts). */
export { isJobStopped } from '../../../api/schemas/job-stopping.ts';
