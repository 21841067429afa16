// Host ports: static ports must be free on the node; dynamic ports are picked from a range, first at random (so
// racing workers rarely pick the same port of a node) and then by a scan, never a port any allocation holds.
import type { PortAsk, PortAssignment } from '../structs.ts';
import type { Random } from '../random.ts';
import { EXHAUSTED_DIMENSIONS as D } from './reasons.ts';

/** The range dynamic ports come from (Nomad's default). */
export interface PortRange {
  min: number;
  max: number;
}

/** Nomad's default dynamic port range. */
export const DEFAULT_PORT_RANGE: PortRange = { min: 20000, max: 32000 };

/** Random picks tried before scanning the range. */
const RANDOM_ATTEMPTS = 20;

/** The assigned ports, or the exhausted dimension. */
export type PortResult = { ok: true; ports: PortAssignment[] } | { ok: false, dimension: string };

/** Assigns the group's ports on a node whose ports `inUse` are taken (held by allocations or reserved). */
export function assignPorts(asks: PortAsk[], inUse: (port: number) => boolean, range: PortRange, rng: Random): PortResult {
  const taken = new Set<number>();
  const ports: PortAssignment[] = [];
  for (const p of asks) {
    if (p.static === undefined) continue;
    if (inUse(p.static) || taken.has(p.static)) return { ok: false, dimension: `${D.portCollision} ${p.label}=${p.static}` };
    taken.add(p.static);
  }
  const free = (port: number) => !inUse(port) && !taken.has(port);
  for (const p of asks) {
    const value = p.static ?? pickDynamic(free, range, rng);
    if (value === undefined) return { ok: false, dimension: D.dynamicPorts };
    taken.add(value);
    const a: PortAssignment = { label: p.label, value };
    if (p.to !== undefined) a.to = p.to === -1 ? value : p.to;
    ports.push(a);
  }
  return { ok: true, ports };
}

function pickDynamic(free: (port: number) => boolean, range: PortRange, rng: Random): number | undefined {
  const span = range.max - range.min + 1;
  if (span <= 0) return undefined;
  for (let i = 0; i < RANDOM_ATTEMPTS; i++) {
    const port = range.min + rng.int(span);
    if (free(port)) return port;
  }
  const start = rng.int(span);
  for (let i = 0; i < span; i++) {
    const port = range.min + ((start + i) % span);
    if (free(port)) return port;
  }
  return undefined;
}
