// The node-level feasibility checks: readiness, datacenter, drivers, constraints and host volumes. Each
// reports the first reason the node fails, from the catalogue in reasons.ts or the constraint's own text.
import type { Constraint } from '../structs.ts';
import { isUniqueTarget } from '../attributes.ts';
import type { FeasibilityCheck } from './types.ts';
import { FILTER_REASONS as R } from './reasons.ts';
import { ConstraintMatcher, constraintReason, PLAN_OPERATORS } from './constraints.ts';

/** The node must be ready, its lease not overdue, eligible and not draining to take new allocations. */
export const readinessCheck: FeasibilityCheck = {
  name: 'readiness',
  scope: 'node',
  check(node) {
    if (!node.ready) return R.nodeNotReady;
    if (node.leaseOverdue) return R.nodeLeaseOverdue;
    if (!node.eligible) return R.nodeIneligible;
    return node.draining ? R.nodeDraining : undefined;
  },
};

/** Whether a datacenter name matches a pattern with `*` and `?` globs. */
export function datacenterMatches(pattern: string, dc: string): boolean {
  if (pattern === '*') return true;
  if (!/[*?]/.test(pattern)) return pattern === dc;
  const re = '^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$';
  return new RegExp(re).test(dc);
}

/** The node's datacenter must match one of the job's datacenters. */
export const datacenterCheck: FeasibilityCheck = {
  name: 'datacenter',
  scope: 'class',
  check(node, { job }) {
    return job.datacenters.some((p) => datacenterMatches(p, node.datacenter)) ? undefined : R.datacenter;
  },
};

/** Every driver the group's tasks use must be detected and healthy on the node. */
export const driverCheck: FeasibilityCheck = {
  name: 'drivers',
  scope: 'class',
  check(node, { group }) {
    for (const d of group.drivers) {
      const state = node.drivers[d];
      // Nodes fingerprinted without a drivers map advertise `driver.<name> = 1` attributes, as Nomad's did.
      const ok = state ? state.detected && state.healthy : ['1', 'true'].includes(node.attributes[`driver.${d}`] ?? '');
      if (!ok) return R.missingDrivers;
    }
    return undefined;
  },
};

/** The job's and group's constraints (distinct_* aside) must all hold; reports the first that fails. */
export function constraintCheck(matcher = new ConstraintMatcher()): FeasibilityCheck {
  return {
    name: 'constraints',
    scope: 'class',
    check(node, { job, group }) {
      for (const c of [...job.constraints, ...group.constraints]) {
        if (!PLAN_OPERATORS.has(c.operator) && !matcher.matches(c, node)) return constraintReason(c);
      }
      return undefined;
    },
  };
}

/** Every host volume the group mounts must exist on the node, and be writable unless mounted read-only. */
export const hostVolumeCheck: FeasibilityCheck = {
  name: 'host-volumes',
  scope: 'class',
  check(node, { group }) {
    for (const v of group.hostVolumes) {
      const have = node.hostVolumes[v.source];
      if (!have || (have.readOnly && !v.readOnly)) return R.missingHostVolumes;
    }
    return undefined;
  },
};

/** Whether any constraint names a per-node attribute, so class-level results cannot be cached or reused. */
export function escapesClass(constraints: Constraint[]): boolean {
  return constraints.some((c) => isUniqueTarget(c.attribute) || isUniqueTarget(c.value));
}
