// Canaries (Nomad's): a deployment of a group with `update.canary: N` first places N allocations of the new
// version beside the old ones, under the names of the first old ones, and replaces nothing until the deployment
// promotes the group. Promoted canaries are ordinary allocations: each stands in for the old allocation of its
// name, which is then stopped as a duplicate. Canaries of a rollout that ended without promoting them are stopped.
import type { AllocView, GroupView } from '../structs.ts';
import { isTerminal } from '../../../api/schemas/allocation-state.ts';
import type { ReconcileInput } from './types.ts';

/** Where a canary stands: waiting for its promotion, an ordinary allocation, or no longer needed. */
export type CanaryState = 'awaiting-promotion' | 'ordinary' | 'unneeded';

/** The state of an allocation placed as a canary (any other allocation is ordinary). */
export function canaryState(a: AllocView, input: ReconcileInput): CanaryState {
  if (!a.canary) return 'ordinary';
  const d = input.deployment;
  if (d?.name && a.deploymentName === d.name) {
    if (d.promoted?.has(a.groupName)) return 'ordinary';
    return d.failed ? 'unneeded' : 'awaiting-promotion';
  }
  return input.promotedCanaries?.has(`${a.deploymentName}/${a.groupName}`) ? 'ordinary' : 'unneeded';
}

/**
 * Whether the group is in its canary phase: the current deployment wants canaries, has not promoted the group,
 * has not failed, and there is an old version to update (or canaries placed already). No updates happen then.
 */
export function inCanaryPhase(g: GroupView, input: ReconcileInput, untainted: AllocView[], canaries: AllocView[]): boolean {
  const d = input.deployment;
  if (!d?.name || d.jobVersion !== input.job.version || d.failed || !((g.update.canary ?? 0) > 0) || d.promoted?.has(g.name)) return false;
  return canaries.length > 0 || untainted.some((a) => !isTerminal(a) && a.jobVersion !== input.job.version);
}

/** Indexes for the canaries still missing: those of the first old allocations no live canary covers yet. */
export function canaryIndexes(g: GroupView, input: ReconcileInput, untainted: AllocView[], canaries: AllocView[]): number[] {
  const covered = new Set(canaries.map((a) => a.index));
  const old = untainted
    .filter((a) => !isTerminal(a) && a.jobVersion !== input.job.version && !covered.has(a.index))
    .map((a) => a.index)
    .sort((x, y) => x - y);
  return old.slice(0, Math.max(0, (g.update.canary ?? 0) - canaries.length));
}
