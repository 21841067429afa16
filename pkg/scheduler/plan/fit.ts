// The plan-commit re-check of one node: does the node's part of a plan still fit against the node's latest
// allocations? Other workers may have committed in the meantime; the committer runs this per touched node
// (inside its compare-and-swap on the node's usage record) and returns the nodes that no longer fit to the
// worker for re-planning. Pure, so the API server and tests share it.
import type { AllocView, NodeView, Resources } from '../structs.ts';
import { isTerminal } from '../../../api/schemas/allocation-state.ts';
import { sum, exceeded } from '../resources.ts';
import type { NodePlan } from './plan.ts';

/** The verdict for one node: `usage` is the node's usage if the node plan is applied. */
export interface NodeFitCheck {
  fits: boolean;
  reason?: string;
  usage: Resources;
}

/** Re-checks a node plan against the node's latest allocations (terminal ones are ignored). */
export function checkNodePlan(node: Pick<NodeView, 'capacity' | 'reservedPorts' | 'ready'>, latest: AllocView[], np: Pick<NodePlan, 'place' | 'stop'>): NodeFitCheck {
  const removed = new Set(np.stop.map((s) => s.id));
  const live = latest.filter((a) => !isTerminal(a) && !removed.has(a.id));
  const holding = [...live, ...np.place];
  const usage = sum(holding.map((a) => a.resources));
  // Stops and in-place updates always apply; only new placements need a ready node with room.
  if (np.place.length === 0) return { fits: true, usage };
  if (!node.ready) return { fits: false, reason: 'node not ready', usage };
  const ids = new Set(latest.map((a) => a.id));
  const dup = np.place.find((p) => ids.has(p.id));
  if (dup) return { fits: false, reason: `allocation ${dup.id} already exists`, usage };
  const dim = exceeded(usage, node.capacity);
  if (dim) return { fits: false, reason: `${dim} exhausted`, usage };
  const ports = new Set(node.reservedPorts);
  for (const a of holding) {
    for (const p of a.ports) {
      if (ports.has(p.value)) return { fits: false, reason: `port ${p.value} collision`, usage };
      ports.add(p.value);
    }
  }
  return { fits: true, usage };
}
