// A node's state as the plan's basis records it: the worker writes the states of the nodes its plan relied on
// (PlanBasis.nodes) and the plan commit compares them with the nodes' current states. One function computes
// both sides, so they cannot disagree about what changed.
import type { NodeView } from '../structs.ts';
import type { NodeState } from './wire.ts';

/** A node's state for reconciling: gone, down (not ready), draining, ineligible or ready. */
export function nodeStateOf(node: NodeView | undefined): NodeState {
  if (!node) return 'gone';
  if (!node.ready) return 'down';
  if (node.draining) return 'draining';
  if (!node.eligible) return 'ineligible';
  return 'ready';
}
