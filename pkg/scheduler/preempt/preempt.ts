// Preemption: when a node is short, pick lower-priority allocations to evict so a higher-priority one fits.
// Only allocations of other jobs whose priority is at least `minDelta` below are candidates (Nomad: 10).
// Holders of a needed static port must go; then, lowest priority first, the allocation closest in size to the
// remaining deficit, until the ask fits; a last pass drops any choice the others made unnecessary. So few, and
// low, evictions win.
import type { AllocView, NodeView, Resources } from '../structs.ts';
import { add, subtract, sum, exceeded } from '../resources.ts';

/** Nomad's minimum priority gap between the preempting job and its victims. */
export const DEFAULT_PRIORITY_DELTA = 10;

/** What preemption needs to decide on one node. */
export interface PreemptionInput {
  node: NodeView;
  /** Live proposed allocations on the node. */
  allocs: AllocView[];
  ask: Resources;
  staticPorts: number[];
  jobPriority: number;
  job: { namespace: string; name: string };
  minDelta: number;
}

/** The allocations to evict so the ask fits, or undefined when evicting cannot make it fit. */
export function selectPreemptions(input: PreemptionInput): AllocView[] | undefined {
  const { node, allocs, ask } = input;
  const eligible = (a: AllocView) => a.jobPriority <= input.jobPriority - input.minDelta && !(a.jobName === input.job.name && a.namespace === input.job.namespace);
  const mandatory: AllocView[] = [];
  for (const port of input.staticPorts) {
    if (node.reservedPorts.includes(port)) return undefined;
    const holder = allocs.find((a) => a.ports.some((p) => p.value === port));
    if (!holder) continue;
    if (!eligible(holder)) return undefined;
    if (!mandatory.includes(holder)) mandatory.push(holder);
  }
  const free = subtract(node.capacity, sum(allocs.map((a) => a.resources)));
  const fits = (chosen: AllocView[]) => !exceeded(ask, add(free, sum(chosen.map((a) => a.resources))));
  const chosen = [...mandatory];
  const candidates = allocs.filter((a) => eligible(a) && !mandatory.includes(a));
  for (const priority of [...new Set(candidates.map((a) => a.jobPriority))].sort((x, y) => x - y)) {
    const pool = candidates.filter((a) => a.jobPriority === priority);
    while (pool.length > 0 && !fits(chosen)) {
      const deficit = subtract(ask, add(free, sum(chosen.map((a) => a.resources))));
      pool.sort((x, y) => distance(deficit, x.resources) - distance(deficit, y.resources) || cmp(x.id, y.id));
      chosen.push(pool.shift()!);
    }
    if (fits(chosen)) break;
  }
  if (!fits(chosen) || chosen.length === 0) return undefined;
  return prune(chosen, mandatory, fits);
}

/** Drops choices that turned out unnecessary: highest priority first, then the largest. */
function prune(chosen: AllocView[], mandatory: AllocView[], fits: (c: AllocView[]) => boolean): AllocView[] {
  let kept = [...chosen];
  const order = chosen.filter((a) => !mandatory.includes(a))
    .sort((x, y) => y.jobPriority - x.jobPriority || size(y.resources) - size(x.resources) || cmp(x.id, y.id));
  for (const a of order) {
    const without = kept.filter((k) => k !== a);
    if (fits(without)) kept = without;
  }
  return kept;
}

/** Nomad's basic resource distance: how far an allocation's size is from the deficit, per dimension relative. */
export function distance(deficit: Resources, r: Resources): number {
  const coord = (need: number, have: number) => (need > 0 ? (need - have) / need : 0);
  const pos = { cpu: Math.max(0, deficit.cpu), memoryMB: Math.max(0, deficit.memoryMB), diskMB: Math.max(0, deficit.diskMB) };
  return Math.hypot(coord(pos.cpu, r.cpu), coord(pos.memoryMB, r.memoryMB), coord(pos.diskMB, r.diskMB));
}

function size(r: Resources): number {
  return r.cpu + r.memoryMB + r.diskMB;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Max priority of the victims plus sum/max: penalizes many evictions even of low priority (Nomad's netPriority). */
export function netPriority(victims: AllocView[]): number {
  if (victims.length === 0) return 0;
  const max = Math.max(...victims.map((a) => a.jobPriority));
  const total = victims.reduce((n, a) => n + a.jobPriority, 0);
  return max + total / max;
}

/** A logistic score in (0, 1): near 1 for cheap preemptions, 0.5 at net priority 2048 (Nomad's curve). */
export function preemptionScore(victims: AllocView[]): number {
  return 1 / (1 + Math.exp(0.0048 * (netPriority(victims) - 2048)));
}
