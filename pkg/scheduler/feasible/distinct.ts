// distinct_hosts and distinct_property: constraints over where the job's other allocations are, so they read the
// plan's proposed state. A job-level constraint covers all the job's groups, a group-level one its own group.
import type { Constraint, NodeView } from '../structs.ts';
import type { PlanState } from '../state.ts';
import { resolveTarget } from '../attributes.ts';
import type { FeasibilityCheck, CheckContext } from './types.ts';
import { FILTER_REASONS as R } from './reasons.ts';

function enabled(c: Constraint, op: string): boolean {
  return c.operator === op && c.value !== 'false';
}

/** No two allocations of the job (job-level) or of the group (group-level) on one node. */
export const distinctHostsCheck: FeasibilityCheck = {
  name: 'distinct-hosts',
  scope: 'plan',
  check(node, { job, group, state }) {
    if (job.constraints.some((c) => enabled(c, 'distinct_hosts')) && state.jobCount(node.name) > 0) return R.distinctHosts;
    if (group.constraints.some((c) => enabled(c, 'distinct_hosts')) && state.jobCount(node.name, group.name) > 0) return R.distinctHosts;
    return undefined;
  },
};

/**
 * At most `value` (default 1) allocations of the job or group per value of the attribute. Counts per value are
 * derived from the proposed state once per state version, not per node.
 */
export function distinctPropertyCheck(): FeasibilityCheck {
  const cache = new Map<string, { version: number; counts: Map<string, number> }>();
  const countsFor = (state: PlanState, attribute: string, group: string | undefined): Map<string, number> => {
    const key = `${group ?? ''}\u0000${attribute}`;
    const hit = cache.get(key);
    if (hit && hit.version === state.version) return hit.counts;
    const counts = new Map<string, number>();
    for (const [nodeName, n] of state.jobNodes(group)) {
      const node = state.node(nodeName);
      const v = node && resolveTarget(attribute, node);
      if (v && v.found) counts.set(v.value, (counts.get(v.value) ?? 0) + n);
    }
    cache.set(key, { version: state.version, counts });
    return counts;
  };
  const violates = (node: NodeView, c: Constraint, group: string | undefined, state: PlanState): string | undefined => {
    const own = resolveTarget(c.attribute, node);
    if (!own.found) return `${R.distinctProperty}: ${c.attribute} missing`;
    const limit = Number.parseInt(c.value, 10) > 0 ? Number.parseInt(c.value, 10) : 1;
    const used = countsFor(state, c.attribute, group).get(own.value) ?? 0;
    return used >= limit ? `${R.distinctProperty}: ${c.attribute}=${own.value} used by ${used} allocs` : undefined;
  };
  return {
    name: 'distinct-property',
    scope: 'plan',
    check(node, { job, group, state }: CheckContext) {
      for (const c of job.constraints) {
        if (c.operator !== 'distinct_property') continue;
        const why = violates(node, c, undefined, state);
        if (why) return why;
      }
      for (const c of group.constraints) {
        if (c.operator !== 'distinct_property') continue;
        const why = violates(node, c, group.name, state);
        if (why) return why;
      }
      return undefined;
    },
  };
}
