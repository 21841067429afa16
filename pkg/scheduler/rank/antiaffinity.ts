// Job anti-affinity: allocations of one group are better apart. Each allocation of the group already on the node
// costs (collisions + 1) / count, so a node gets worse the more of the group it holds.
import type { Scorer } from './types.ts';

/** Penalizes nodes already running allocations of the same job and group. */
export const jobAntiAffinity: Scorer = {
  name: 'job-anti-affinity',
  score(node, { group, state }) {
    const collisions = state.jobCount(node.name, group.name);
    if (collisions === 0) return undefined;
    return -(collisions + 1) / Math.max(1, group.count);
  },
};
