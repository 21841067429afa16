// Allocations on a down node are lost: their node cannot run them or report on them, so the health controller
// writes `status.clientStatus: lost` for them (through /status, compare-and-swap on each) and the scheduler
// replaces them at the job's next evaluation.
import type { Allocation } from '../../../api/schemas/index.ts';
import { isClientTerminal } from '../../../api/schemas/allocation-state.ts';
import { withAllocationConditions } from '../../../api/schemas/allocation-conditions.ts';
import type { Client } from '../../client/client.ts';

/** The client description written on allocations marked lost. */
export const LOST_DESCRIPTION = 'alloc is lost since its node is down';

/** The allocation with clientStatus lost. */
export function markedLost(a: Allocation, now: number): Allocation {
  const lost = { ...a, status: { ...(a.status ?? {}), clientStatus: 'lost' as const, clientDescription: LOST_DESCRIPTION } };
  return { ...lost, status: withAllocationConditions(lost, now) };
}

/**
 * Mark every allocation of `onNode` (a down node's allocations, from the shared informer's by-node index) whose
 * client status is not final as lost; returns the names marked. Each write is a CAS on the cached
 * resourceVersion; a conflict (the agent or the scheduler wrote meanwhile, or the cache is behind) is thrown
 * after the others have been tried, so the controller retries the node once the cache has caught up.
 */
export async function markAllocationsLost(client: Pick<Client, 'resource'>, onNode: readonly Allocation[], now: number): Promise<string[]> {
  const allocs = client.resource<Allocation>('allocations');
  const marked: string[] = [];
  let firstError: unknown;
  for (const a of onNode) {
    if (isClientTerminal(a.status?.clientStatus)) continue; // a final status: nothing left to lose
    try {
      await allocs.updateStatus(markedLost(a, now));
      marked.push(`${a.metadata.namespace}/${a.metadata.name}`);
    } catch (err) {
      firstError ??= err;
    }
  }
  if (firstError !== undefined) throw firstError;
  return marked;
}
