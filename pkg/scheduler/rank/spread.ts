// Spread: allocations of a group spread over the values of a node attribute (datacenter, rack...). With targets,
// a node scores by how far its value is below its desired share; without, by how far its value is below the
// least-used value (even spread). Counts come from the proposed state, per state version.
import type { NodeView, Spread } from '../structs.ts';
import type { PlanState } from '../state.ts';
import { resolveTarget, type Resolved } from '../attributes.ts';
import type { Scorer } from './types.ts';

/** The implicit target: the share left over by the explicit targets, for every other value. */
const OTHERS = '*';

/** Scores nodes by the group's spreads (job-level spreads included). */
export function allocationSpread(): Scorer {
  const cache = new Map<Spread, { version: number; counts: Map<string, number> }>();
  const countsFor = (state: PlanState, group: string, spread: Spread): Map<string, number> => {
    const key = spread;
    const hit = cache.get(key);
    if (hit && hit.version === state.version) return hit.counts;
    const counts = new Map<string, number>();
    for (const [nodeName, n] of state.jobNodes(group)) {
      const node = state.node(nodeName);
      const v = node && resolveTarget(spread.attribute, node);
      if (v && v.found) counts.set(v.value, (counts.get(v.value) ?? 0) + n);
    }
    cache.set(key, { version: state.version, counts });
    return counts;
  };
  return {
    name: 'allocation-spread',
    score(node: NodeView, { group, state }) {
      if (group.spreads.length === 0) return undefined;
      const sumWeights = group.spreads.reduce((n, s) => n + s.weight, 0) || 1;
      let total = 0;
      for (const s of group.spreads) {
        const own = resolveTarget(s.attribute, node);
        const counts = countsFor(state, group.name, s);
        const boost = s.targets.length ? targetBoost(s, own, counts, group.count) : evenBoost(own, counts);
        total += boost * (s.weight / sumWeights);
      }
      return total === 0 ? undefined : total;
    },
  };
}

/** (desired - used) / desired for the node's value, counting this placement; -1 when the value is not wanted. */
export function targetBoost(s: Spread, own: Resolved, counts: ReadonlyMap<string, number>, groupCount: number): number {
  if (!own.found) return -1;
  const desired = desiredCounts(s, groupCount);
  const want = desired.get(own.value) ?? desired.get(OTHERS);
  if (want === undefined || want <= 0) return -1;
  const used = (counts.get(own.value) ?? 0) + 1;
  return (want - used) / want;
}

function desiredCounts(s: Spread, groupCount: number): Map<string, number> {
  const out = new Map<string, number>();
  let sum = 0;
  for (const t of s.targets) {
    const n = (t.percent / 100) * groupCount;
    out.set(t.value, n);
    sum += n;
  }
  if (sum > 0 && sum < groupCount) out.set(OTHERS, groupCount - sum);
  return out;
}

/**
 * Even spread (Nomad's evenSpreadScoreBoost): nothing placed yet → 0; value unset → -1; a value used less than
 * the least-used one (an unused value) → +1; more → negative by its excess over the minimum; at the minimum →
 * -1 when everything is even, else the max-min gap relative to the minimum.
 */
export function evenBoost(own: Resolved, counts: ReadonlyMap<string, number>): number {
  if (counts.size === 0) return 0;
  if (!own.found) return -1;
  const current = counts.get(own.value) ?? 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const n of counts.values()) {
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  if (current !== min) return (min - current) / min;
  if (min === max) return -1;
  return (max - min) / min;
}
