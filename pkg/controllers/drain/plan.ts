// The drain decision as a pure function of the node, the allocations and jobs concerned, and the time: which
// allocations to mark for migration now, and whether the drain is finished. After Nomad's drainer
// (nomad/drainer/watch_jobs.go): per task group, a batch of at most migrate.maxParallel, and the next batch only
// once the group is back to count − maxParallel healthy allocations; batch jobs are left to finish; system jobs
// go last; at the deadline everything left goes at once.
import type { Allocation, Job, Node } from '../../../api/schemas/index.ts';
import { parseDuration } from '../../../api/schemas/duration.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { jobKeyOf } from '../../../api/schemas/job-key.ts';

/** What the planner needs to know. */
export interface DrainInput {
  node: Node;
  /** Every live allocation on the node, plus every allocation (anywhere) of the jobs that have one there. */
  allocs: readonly Allocation[];
  /** The jobs of the allocations on the node by `namespace/name`; absent = the job is gone. */
  jobs: ReadonlyMap<string, Job | undefined>;
  /** Our clock, ms since the epoch. */
  now: number;
}

/** What to do. */
export interface DrainPlan {
  /** Allocations to mark `spec.desiredTransition.migrate`, in the order chosen. */
  migrate: Allocation[];
  /** Live allocations on the node the drain still waits for (system ones excluded when ignored). */
  remaining: Allocation[];
  /** Nothing is left: the drain is complete. */
  done: boolean;
  /** The deadline has passed: everything left was marked at once. */
  forced: boolean;
  /** When (our clock) the deadline falls, if there is one and it has not passed. */
  deadlineAt?: number;
}

/** Already marked for migration. */
export function isMarked(a: Allocation): boolean {
  return a.spec.desiredTransition?.migrate === true;
}

/**
 * Healthy from a migration standpoint: live, not on its way out, running, and not reported unhealthy — and a
 * replacement (an allocation with a previousAllocation: what a migration places) only once its agent has judged
 * it healthy by the group's migrate block (healthCheck, minHealthyTime, healthyDeadline; Nomad's rule: the next
 * batch waits for the last one's health, not just for it to run). An allocation that replaced nothing and carries
 * no verdict counts as healthy, as in the scheduler (pkg/scheduler/README.md).
 */
export function isHealthy(a: Allocation): boolean {
  if (!isLive(a) || isMarked(a) || a.status?.clientStatus !== 'running') return false;
  const verdict = a.status.deploymentStatus?.healthy;
  return verdict === true || (verdict === undefined && !a.spec.previousAllocation);
}

/** When the drain's deadline falls (undefined: no deadline), counted from spec.drain.startedAt. */
export function deadlineOf(node: Node, fallbackStart: number): number | undefined {
  const drain = node.spec?.drain;
  if (!drain || drain.deadline === undefined) return undefined;
  const started = drain.startedAt ? Date.parse(drain.startedAt) : NaN;
  return (Number.isNaN(started) ? fallbackStart : started) + parseDuration(drain.deadline);
}

/** Decide the next step of the drain of `input.node`. */
export function planDrain(input: DrainInput): DrainPlan {
  const { node, now } = input;
  const nodeName = node.metadata.name;
  const ignoreSystem = node.spec?.drain?.ignoreSystemJobs === true;
  const deadlineAt = deadlineOf(node, now);
  const forced = deadlineAt !== undefined && now >= deadlineAt;
  const typeOf = (a: Allocation) => input.jobs.get(jobKeyOf(a))?.spec.type ?? 'service';
  const isSystem = (a: Allocation) => typeOf(a) === 'system';

  const onNode = input.allocs.filter((a) => a.spec.nodeName === nodeName && isLive(a));
  const remaining = onNode.filter((a) => !(ignoreSystem && isSystem(a)));
  const migrate: Allocation[] = [];
  const unmarked = (list: Allocation[]) => list.filter((a) => !isMarked(a)).sort(byIndex);

  const others = onNode.filter((a) => !isSystem(a));
  for (const [key, allocs] of groupBy(others, (a) => `${jobKeyOf(a)}\u0000${a.spec.groupName}`)) {
    const job = input.jobs.get(jobKeyOf(allocs[0]));
    if (forced) migrate.push(...unmarked(allocs));
    else migrate.push(...groupBatch(job, allocs, input.allocs.filter((a) => `${jobKeyOf(a)}\u0000${a.spec.groupName}` === key)));
  }
  // System allocations serve the node itself (log shippers, monitoring): they leave after everything else.
  if (!ignoreSystem && (forced || others.length === 0)) migrate.push(...unmarked(onNode.filter(isSystem)));

  return { migrate, remaining, done: remaining.length === 0, forced, deadlineAt: forced ? undefined : deadlineAt };
}

/** The allocations of one group on the draining node to mark now. */
function groupBatch(job: Job | undefined, onNode: Allocation[], wholeGroup: Allocation[]): Allocation[] {
  const candidates = onNode.filter((a) => !isMarked(a)).sort(byIndex);
  // Nothing to keep available for a job that is gone or stopped: the scheduler is stopping it anyway.
  if (!job || job.spec.stop === true) return candidates;
  const type = job.spec.type ?? 'service';
  // Batch work is left to finish (or to the deadline), as in Nomad: moving it would only restart it.
  if (type === 'batch' || type === 'sysbatch') return [];
  const group = job.spec.groups.find((g) => g.name === onNode[0].spec.groupName);
  if (!group) return candidates;
  const maxParallel = group.migrate?.maxParallel ?? job.spec.migrate?.maxParallel ?? 1;
  const count = group.count ?? 1;
  const healthy = wholeGroup.filter(isHealthy).length;
  // Keep at least count − maxParallel healthy: mark only as many as the group has healthy above that.
  const room = healthy - (count - maxParallel);
  return candidates.slice(0, Math.max(0, Math.min(room, maxParallel)));
}

function byIndex(a: Allocation, b: Allocation): number {
  return (a.spec.index ?? 0) - (b.spec.index ?? 0) || a.metadata.name.localeCompare(b.metadata.name);
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}
