// Resource fit: would the node's proposed usage plus this allocation stay within its capacity, and if not,
// which dimension ran out. Ports (see ports.ts) are checked after the cheap arithmetic: a port collision is
// exhaustion too.
import type { NodeView, Resources, PortAsk, PortAssignment } from '../structs.ts';
import type { Random } from '../random.ts';
import { add, exceeded } from '../resources.ts';
import { assignPorts, type PortRange } from './ports.ts';

/** A fitting placement: the node's usage with the allocation, and the ports it gets. */
export type FitResult = { ok: true; util: Resources; ports: PortAssignment[] } | { ok: false; dimension: string };

/** What fit needs to know about the node beyond its view: proposed usage and held ports. */
export interface NodeLoad {
  used: Resources;
  /** Host ports held on the node. */
  ports: ReadonlyMap<number, unknown>;
  /** Held ports that preemption would free. */
  freed?: ReadonlySet<number>;
}

/** Checks cpu, memory and disk, then assigns ports. */
export function fitNode(node: NodeView, load: NodeLoad, ask: Resources, portAsks: PortAsk[], range: PortRange, rng: Random): FitResult {
  const util = add(load.used, ask);
  const dim = exceeded(util, node.capacity);
  if (dim) return { ok: false, dimension: dim };
  if (portAsks.length === 0) return { ok: true, util, ports: [] };
  const { ports: held, freed } = load;
  const reserved = node.reservedPorts;
  const inUse = (p: number) => (held.has(p) && !freed?.has(p)) || reserved.includes(p);
  const ports = assignPorts(portAsks, inUse, range, rng);
  return ports.ok ? { ok: true, util, ports: ports.ports } : ports;
}
