// The Deployment a job version gets: per group the targets from the group's update strategy (the job's,
// overridden field by field by the group's), owned by the job so it goes with it.
import type { Allocation, Deployment, Job } from '../../../api/schemas/index.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { groupUpdateStrategy } from '../../../api/schemas/defaults.ts';
import { deploymentNameOf } from '../../../api/schemas/deployment.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { controllerRef } from '../../../api/schemas/owner.ts';

/** Label naming the job on the objects the controller creates (as on JobVersions). */
export const JOB_LABEL = 'drover.dev/job';

/**
 * The new Deployment of `job` at `version` (status unset: the controller writes it next). A group wants canaries
 * only when it has live allocations of an older version to update (a first version has nothing to test against),
 * which is the scheduler's rule too (pkg/scheduler/reconcile/canaries.ts).
 */
export function newDeployment(job: Job, version: number, allocs: readonly Allocation[]): Deployment {
  const groups: Deployment['spec']['groups'] = {};
  const system = job.spec.type === 'system';
  for (const g of job.spec.groups) {
    const u = groupUpdateStrategy(job.spec.update, g.update);
    if (!u) continue;
    const older = allocs.some((a) => a.spec.groupName === g.name && a.spec.jobVersion !== version && isLive(a));
    groups[g.name] = {
      // A system job runs on every feasible node: its total is the slots it holds now (see systemSlots).
      desiredTotal: system ? systemSlots(job.metadata.name, g.name, allocs) : g.count ?? 1,
      desiredCanaries: older ? (u.canary ?? 0) : 0,
      autoRevert: u.autoRevert ?? false,
      autoPromote: u.autoPromote ?? false,
      progressDeadline: u.progressDeadline ?? '10m',
    };
  }
  return {
    apiVersion: API_VERSION,
    kind: 'Deployment',
    metadata: {
      name: deploymentNameOf(job.metadata.name, version),
      namespace: job.metadata.namespace ?? 'default',
      labels: { [JOB_LABEL]: job.metadata.name },
      ownerReferences: [controllerRef(job, { blockOwnerDeletion: true })],
    },
    spec: { jobName: job.metadata.name, jobVersion: version, groups, ...(system ? { jobType: 'system' as const } : {}) },
  };
}

/**
 * A system job's slots in a group: its live allocations, whatever their version, and those replaced by a
 * successor not seen yet (a destructive update stops one and places its successor in one commit, but a cache
 * may show the stop first), so the number holds through the rollout; a node that joins or leaves changes it.
 */
export function systemSlots(jobName: string, group: string, allocs: readonly Allocation[]): number {
  const mine = allocs.filter((a) => a.spec.jobName === jobName && a.spec.groupName === group);
  const names = new Set(mine.map((a) => a.metadata.name));
  return mine.filter((a) => isLive(a) || (a.spec.nextAllocation !== undefined && !names.has(a.spec.nextAllocation))).length;
}

/** Whether the deployment was made for this incarnation of the job (a job deleted and created again is another). */
export function ownedBy(d: Deployment, job: Job): boolean {
  return (d.metadata.ownerReferences ?? []).some((o) => o.kind === 'Job' && o.uid === job.metadata.uid);
}

/** Whether any group of the deployment reverts on failure. */
export function autoReverts(d: Deployment): boolean {
  return Object.values(d.spec.groups).some((g) => g.autoRevert === true);
}
