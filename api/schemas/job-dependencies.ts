// Job dependencies (`spec.dependsOn` between jobs of a namespace, `groups[].dependsOn` between groups of one job):
// the one definition of when a dependency is Ready and of which groups of a job are held back. The scheduler
// workers hold those groups' placements (pkg/scheduler/worker), the evaluator evaluates the job again once a held
// group is free (pkg/controllers/evaluator/dependencies.ts), and the job status controller names what the job
// waits for (Reconciling `WaitingForDependencies`).
//
// A job is Ready as a dependency when the job status controller has judged its current generation Ready
// (Ready True with observedGeneration = metadata.generation, pkg/controllers/jobstatus) for work that is done or
// running: reason `Running` for a service or system job (every group at its count running healthy at this
// version, the deployment of this version successful if it has one), `Complete` for a batch or sysbatch job
// (every allocation finished, none live). A job that is not there yet is waited for; one being deleted, stopped,
// or a template (periodic, parameterized: its launches are jobs of their own) is not Ready.
//
// A group is Ready as a dependency when `count` allocations of the job's current version run healthy (service,
// system) or have completed (batch, sysbatch).
//
// The hold is on a group's first placement: a group that has any allocation (any version, any state) is never
// held again, so a dependency's later update, failure or deletion neither stops nor starves what already runs.
import type { Allocation, Job } from './index.ts';
import { isRunningHealthyState, type AllocationState } from './allocation-state.ts';
import { conditionOf } from './conditions.ts';
import { jobVersion } from './job-version.ts';

/** What the dependency rules read of an allocation (an Allocation object, or the scheduler's AllocView). */
export interface DependencyAlloc extends AllocationState {
  groupName: string;
  jobVersion: number;
  /** Deployment health: false is unhealthy. */
  healthy?: boolean;
}

/** The fields of an Allocation object the dependency rules read. */
export function dependencyAllocOf(a: Allocation): DependencyAlloc {
  return { groupName: a.spec.groupName, jobVersion: a.spec.jobVersion, desiredStatus: a.spec.desiredStatus, clientStatus: a.status?.clientStatus, healthy: a.status?.deploymentStatus?.healthy };
}

const isBatch = (job: Job) => job.spec.type === 'batch' || job.spec.type === 'sysbatch';

/** Whether the job names dependencies of its own or of any group. */
export function hasDependencies(job: Job): boolean {
  return (job.spec.dependsOn?.length ?? 0) > 0 || job.spec.groups.some((g) => (g.dependsOn?.length ?? 0) > 0);
}

/** Why the job `dep` is not Ready as a dependency (undefined: it is). `dep` undefined: it does not exist (yet). */
export function jobNotReady(dep: Job | undefined): string | undefined {
  if (!dep) return 'not found (waiting for it to be created)';
  if (dep.metadata.deletionTimestamp) return 'being deleted';
  if (dep.spec.stop) return 'stopped';
  if (dep.spec.periodic || dep.spec.parameterized) return 'a periodic or parameterized template, never Ready itself';
  const generation = dep.metadata.generation ?? 1;
  const ready = conditionOf(dep.status?.conditions, 'Ready');
  if (!ready || (ready.observedGeneration ?? 0) < generation) return `generation ${generation} not yet judged`;
  const want = isBatch(dep) ? 'Complete' : 'Running';
  if (ready.status === 'True' && ready.reason === want) return undefined;
  return `not ${want === 'Complete' ? 'complete' : 'Ready'} (Ready ${ready.status}, ${ready.reason}${ready.message ? `: ${ready.message}` : ''})`;
}

/** Whether the job `dep` is Ready as a dependency (see the file comment). */
export function isJobReady(dep: Job | undefined): boolean {
  return jobNotReady(dep) === undefined;
}

/** Why group `name` of `job` is not Ready as a dependency (undefined: it is), from the job's allocations. */
export function groupNotReady(job: Job, name: string, allocs: readonly DependencyAlloc[]): string | undefined {
  const g = job.spec.groups.find((x) => x.name === name);
  if (!g) return 'no such group';
  const version = jobVersion(job);
  const batch = isBatch(job);
  const want = g.count ?? 1;
  const have = allocs.filter((a) => a.groupName === name && a.jobVersion === version && (batch ? a.clientStatus === 'complete' : isRunningHealthyState(a))).length;
  return have >= want ? undefined : `${have} of ${want} ${batch ? 'complete' : 'running healthy'} at version ${version}`;
}

/**
 * The groups of `job` still to be placed for the first time that have dependencies (the job's or their own),
 * each with what it waits for: empty when every dependency is Ready (the group is free to place). Groups with
 * count 0 or with any allocation are left out. `lookup` finds a job of the same namespace.
 */
export function dependencyGates(job: Job, lookup: (name: string) => Job | undefined, allocs: readonly DependencyAlloc[]): Map<string, string[]> {
  const gates = new Map<string, string[]>();
  const placed = new Set(allocs.map((a) => a.groupName));
  let jobWaits: string[] | undefined;
  for (const g of job.spec.groups) {
    const own = g.dependsOn ?? [];
    if ((g.count ?? 1) === 0 || placed.has(g.name) || (own.length === 0 && (job.spec.dependsOn?.length ?? 0) === 0)) continue;
    jobWaits ??= (job.spec.dependsOn ?? []).flatMap((n) => {
      const why = jobNotReady(lookup(n));
      return why ? [`job ${n}: ${why}`] : [];
    });
    const groupWaits = own.flatMap((n) => {
      const why = groupNotReady(job, n, allocs);
      return why ? [`group ${n}: ${why}`] : [];
    });
    gates.set(g.name, [...jobWaits, ...groupWaits]);
  }
  return gates;
}

/** The gated groups that still wait (dependencyGates entries with something to wait for). */
export function heldGroups(gates: ReadonlyMap<string, string[]>): Map<string, string[]> {
  return new Map([...gates].filter(([, waits]) => waits.length > 0));
}

/** `group web waits for job db: not found ...; group api ...` — what a job with held groups waits for. */
export function describeHeld(held: ReadonlyMap<string, string[]>): string {
  return [...held].map(([g, waits]) => `group ${g} waits for ${waits.join(', ')}`).join('; ');
}
