// In-place or destructive: how an allocation of an older job version reaches the current one, and how many
// destructive updates a rolling update allows right now.
import type { AllocView, GroupView, JobView } from '../structs.ts';
import { isTerminal } from '../../../api/schemas/allocation-state.ts';
import type { DeploymentView } from './types.ts';

/** How an allocation is updated to the current version. */
export type UpdateKind = 'none' | 'inplace' | 'destructive';

/** Compares the group the allocation was placed from with the current one. Unknown old versions are destructive. */
export function updateKind(alloc: AllocView, group: GroupView, jobVersion: number, jobVersions?: ReadonlyMap<number, JobView>): UpdateKind {
  if (alloc.jobVersion === jobVersion) return 'none';
  const old = jobVersions?.get(alloc.jobVersion)?.groups.find((g) => g.name === group.name);
  return old && old.fingerprint === group.fingerprint ? 'inplace' : 'destructive';
}

/**
 * Whether an allocation of the current version still counts against maxParallel: until it is healthy. Without
 * a health signal (no deployment watcher yet) a running allocation counts as done, so rollouts still progress.
 */
export function updateInFlight(alloc: AllocView, jobVersion: number): boolean {
  if (alloc.jobVersion !== jobVersion || isTerminal(alloc)) return false;
  if (alloc.healthy === true) return false;
  return alloc.healthy === false || alloc.clientStatus === 'pending';
}

/**
 * How many destructive updates may start now: maxParallel minus those in flight; unlimited when maxParallel is 0.
 * Within a deployment (after Nomad's computeLimit) an allocation any rollout placed is in flight until it is
 * healthy — also one of an older, unfinished rollout, and a failed one still holding its slot — so however
 * versions follow each other, at most maxParallel slots of the group are ever not healthy. One unhealthy
 * allocation of the current rollout stops it (limit 0) until the deployment fails or a newer version comes.
 * `replacing` counts this plan's replacements of failed and lost allocations: they are in flight too.
 */
export function destructiveBudget(group: GroupView, jobVersion: number, current: AllocView[], deployment?: DeploymentView, replacing = 0): number {
  const ours = deployment && deployment.jobVersion === jobVersion ? deployment : undefined;
  if (ours && (ours.paused || ours.failed)) return 0;
  if (group.update.maxParallel === 0) return Number.POSITIVE_INFINITY;
  if (ours?.name) {
    let limit = group.update.maxParallel - replacing;
    for (const a of current) {
      if (!a.deploymentName || a.desiredStatus !== 'run' || a.nextAllocation) continue;
      if (a.healthy === false && a.deploymentName === ours.name) return 0;
      if (a.healthy !== true) limit--;
    }
    return Math.max(0, limit);
  }
  const inFlight = current.filter((a) => updateInFlight(a, jobVersion)).length;
  return Math.max(0, group.update.maxParallel - inFlight);
}

/** Whether a failed allocation is kept as it is: it failed inside the job's current deployment, which failed. */
export function heldByFailedDeployment(alloc: AllocView, deployment?: DeploymentView): boolean {
  return !!deployment?.failed && !!deployment.name && alloc.deploymentName === deployment.name;
}
