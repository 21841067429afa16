// Which children of a periodic parent still run: what prohibitOverlap waits on.
import type { Allocation, Evaluation, Job } from '../../../api/schemas/index.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { isJobStopped } from '../../../api/schemas/job-stopping.ts';

/** A child's allocations and evaluations (from the shared informers' by-job indexes). */
export interface ChildState {
  allocs: readonly Allocation[];
  evals: readonly Evaluation[];
}

/**
 * Whether a child job is still running, Nomad's "not dead". When the job status controller has written
 * `status.status`, that decides. Otherwise: a stopped or deleted child is done; one with a live allocation or an
 * unfinished (pending or blocked) evaluation runs; one that has allocations, all of them terminal, is done; one
 * with neither allocations nor evaluations has just been launched and counts as running.
 */
export function isChildRunning(child: Job, state: ChildState): boolean {
  if (isJobStopped(child)) return false;
  if (child.status?.status) return child.status.status !== 'dead';
  if (state.allocs.some(isLive)) return true;
  if (state.evals.some((e) => (e.status?.phase ?? 'pending') === 'pending' || e.status?.phase === 'blocked')) return true;
  return state.allocs.length === 0;
}
