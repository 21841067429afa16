// The two status changes the health controller makes to a Node, as pure functions: down (with the Heartbeat
// condition saying the health controller did it) and back to ready (only over its own down). The agent owns
// every other status field and sets ready itself when it registers; the condition is how the two avoid a fight.
import type { Node, NodeStatus } from '../../../api/schemas/index.ts';

/** The condition type the health controller writes on Nodes. */
export const HEARTBEAT_CONDITION = 'Heartbeat';
/** Reason of a False Heartbeat condition: the health controller marked the node down. */
export const REASON_LEASE_EXPIRED = 'LeaseExpired';
/** Reason of a True Heartbeat condition after the node's lease was renewed again. */
export const REASON_LEASE_RENEWED = 'LeaseRenewed';

type Condition = NonNullable<NodeStatus['conditions']>[number];

/** The node's Heartbeat condition, if any. */
export function heartbeatCondition(node: Node): Condition | undefined {
  return node.status?.conditions?.find((c) => c.type === HEARTBEAT_CONDITION);
}

/** Whether the node is down because the health controller said so (and nobody has set another phase since). */
export function downByHealth(node: Node): boolean {
  const c = heartbeatCondition(node);
  return node.status?.phase === 'down' && c?.status === 'False' && c.reason === REASON_LEASE_EXPIRED;
}

/** The node with phase down and a False Heartbeat condition explaining why. */
export function markedDown(node: Node, message: string, now: string): Node {
  return withPhase(node, 'down', { type: HEARTBEAT_CONDITION, status: 'False', reason: REASON_LEASE_EXPIRED, message, lastTransitionTime: now });
}

/**
 * The node with a True Heartbeat condition; phase back to ready only if the health controller's own down is
 * still in place (if the agent or anyone else set another phase since, that phase stands).
 */
export function markedRenewed(node: Node, now: string): Node {
  const phase = downByHealth(node) ? 'ready' : node.status?.phase;
  return withPhase(node, phase, { type: HEARTBEAT_CONDITION, status: 'True', reason: REASON_LEASE_RENEWED, message: 'node lease renewed', lastTransitionTime: now });
}

function withPhase(node: Node, phase: NodeStatus['phase'], condition: Condition): Node {
  const status: NodeStatus = { ...(node.status ?? {}) };
  if (phase === undefined) delete status.phase;
  else status.phase = phase;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== HEARTBEAT_CONDITION), condition];
  return { ...node, status };
}
