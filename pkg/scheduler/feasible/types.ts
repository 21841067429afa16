// What a feasibility check is: a small stage that says why a node cannot take an allocation of a group.
import type { GroupView, JobView, NodeView } from '../structs.ts';
import type { PlanState } from '../state.ts';

/** What a check may read besides the node. */
export interface CheckContext {
  job: JobView;
  group: GroupView;
  state: PlanState;
}

/**
 * What a check's answer depends on, which decides whether it may be cached: `node` (per-node status, cheap,
 * never cached), `class` (only fields in the node's computed class: cached per class for the evaluation unless
 * the group's constraints name unique attributes), `plan` (what the plan placed so far: never cached).
 */
export type CheckScope = 'node' | 'class' | 'plan';

/** A feasibility check: undefined when the node passes, else the reason it is filtered. */
export interface FeasibilityCheck {
  name: string;
  scope: CheckScope;
  check(node: NodeView, ctx: CheckContext): string | undefined;
}
