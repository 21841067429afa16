// Is the worker's view fresh enough to commit its plan? Nomad's workers wait until their state store has
// reached the evaluation's index before planning; ours plan from informers at once and the server checks
// afterwards. The worker says what it planned from (PlanBasis); the server answers "stale" when the worker had
// not seen a change that happened before the evaluation was claimed — to the job's allocations or to any node —
// or when the job's spec, or the state of a node the plan relied on, differs now. The worker then catches up
// and re-plans. Later changes come with evaluations of their own.
import type { Job, Node } from '../../api/schemas/index.ts';
import { nodeFromApi } from '../scheduler/adapters.ts';
import { nodeStateOf } from '../scheduler/plan/node-state.ts';
import type { PlanBasis } from '../scheduler/plan/wire.ts';

/** Why a view is stale and how the worker catches up. */
export interface Staleness {
  reason: string;
  waitFor: Partial<Record<'allocations' | 'jobs' | 'nodes', number>>;
  refetch: { jobs: string[]; nodes: string[] };
}

/** What the server knows, read for one basis check. */
export interface ServerView {
  /** The job, read from the store (linearizable); undefined when absent. */
  job: { obj: Job; rev: number } | undefined;
  /** Revision of the last reconcile-relevant change to one of the job's allocations, up to the claim. */
  allocRevision: number;
  /** Revision of the last change to any node, up to the claim. */
  nodeRevision: number;
  /** A node as the server knows it (the triggering node from the store, others from the cache). */
  node(name: string): { obj: Node; rev: number } | undefined;
}

/** The staleness of `basis` against `view`, or undefined when the worker saw everything that matters. */
export function checkBasis(jobName: string, basis: PlanBasis, view: ServerView): Staleness | undefined {
  if (view.allocRevision > basis.revisions.allocations) {
    return stale(`allocations of job ${jobName} changed at revision ${view.allocRevision}`, { waitFor: { allocations: view.allocRevision } });
  }
  if (view.nodeRevision > basis.revisions.nodes) {
    return stale(`nodes changed at revision ${view.nodeRevision}`, { waitFor: { nodes: view.nodeRevision } });
  }
  const job = view.job;
  const same = job ? basis.job !== null && job.obj.metadata.uid === basis.job.uid && (job.obj.metadata.generation ?? 0) === basis.job.generation : basis.job === null;
  // A job absent here may have been deleted at a revision the worker's informer has not reached: re-read it.
  if (!same && (!job || job.rev > basis.revisions.jobs)) return stale(`job ${jobName} changed`, { refetch: { jobs: [jobName], nodes: [] } });
  const nodes: string[] = [];
  for (const [name, seen] of Object.entries(basis.nodes)) {
    const n = view.node(name);
    const now = nodeStateOf(n ? nodeFromApi(n.obj) : undefined);
    if (now !== seen && (!n || n.rev > basis.revisions.nodes)) nodes.push(name);
  }
  if (nodes.length > 0) return stale(`node ${nodes.slice(0, 3).join(', ')}${nodes.length > 3 ? '...' : ''} changed`, { refetch: { jobs: [], nodes } });
  return undefined;
}

function stale(reason: string, s: Partial<Omit<Staleness, 'reason'>>): Staleness {
  return { reason, waitFor: s.waitFor ?? {}, refetch: s.refetch ?? { jobs: [], nodes: [] } };
}
