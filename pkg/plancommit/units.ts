// Cutting a plan into per-node units and each unit into store transactions within etcd's 128-op limit.
// A unit is everything whose fit depends on one node: its placements (each with the changes that must land with
// it — the evicted victims and the replaced allocation's stop and nextAllocation link), then its own stops and
// in-place updates. Units commit independently (a refused node does not hold back the others).
import type { Allocation } from '../../api/schemas/index.ts';
import { MAX_TXN_OPS } from '../storage/store.ts';
import type { AllocPatch } from './objects.ts';
import type { PlanStop, PlanUpdate } from '../scheduler/plan/wire.ts';

/** A change to one existing allocation. */
export interface PatchItem {
  name: string;
  patch: AllocPatch;
}

/** A new allocation and the changes to existing ones that must commit with it. */
export interface PlaceItem {
  alloc: Allocation;
  linked: PatchItem[];
}

/** Everything one node's fit decides. */
export interface Unit {
  node: string;
  /** Stops and updates of the node's own allocations (committed first: they free room). */
  patches: PatchItem[];
  places: PlaceItem[];
}

/** One transaction's share of a unit. */
export interface Chunk {
  patches: PatchItem[];
  places: PlaceItem[];
}

/**
 * Ops per transaction besides the unit's own: the usage record put (and compares: the record and the
 * evaluation fence), with headroom so a chunk never trips the limit.
 */
export const CHUNK_OPS = MAX_TXN_OPS - 8;

/** Where an existing allocation lives (undefined: it no longer exists, so there is nothing to change). */
export type NodeOf = (allocName: string) => string | undefined;

/** Group a plan's changes into units, one per node. */
export function buildUnits(placements: Allocation[], stops: PlanStop[], updates: PlanUpdate[], nodeOf: NodeOf): Unit[] {
  const units = new Map<string, Unit>();
  const unit = (node: string) => {
    let u = units.get(node);
    if (!u) units.set(node, (u = { node, patches: [], places: [] }));
    return u;
  };
  const placing = new Map(placements.map((p) => [p.metadata.name, { alloc: p, linked: [] as PatchItem[] }]));
  const replacing = new Map<string, PlaceItem>();
  for (const item of placing.values()) {
    const prev = item.alloc.spec.previousAllocation;
    if (prev && nodeOf(prev) !== undefined && !replacing.has(prev)) replacing.set(prev, item);
  }
  const linkedPrev = new Set<string>();
  for (const s of stops) {
    if (nodeOf(s.name) === undefined) continue;
    // A victim is evicted in the transaction that places its preemptor; a replaced allocation stops with its successor.
    const owner = (s.preemptedBy ? placing.get(s.preemptedBy) : undefined) ?? replacing.get(s.name);
    if (!owner) {
      unit(nodeOf(s.name)!).patches.push({ name: s.name, patch: { stop: s } });
      continue;
    }
    const patch: AllocPatch = { stop: s };
    if (replacing.get(s.name) === owner) {
      patch.nextAllocation = owner.alloc.metadata.name;
      linkedPrev.add(s.name);
    }
    owner.linked.push({ name: s.name, patch });
  }
  for (const [prev, item] of replacing) {
    if (!linkedPrev.has(prev)) item.linked.push({ name: prev, patch: { nextAllocation: item.alloc.metadata.name } });
  }
  for (const u of updates) {
    const node = nodeOf(u.name);
    if (node !== undefined) unit(node).patches.push({ name: u.name, patch: { jobVersion: u.jobVersion } });
  }
  for (const item of placing.values()) unit(item.alloc.spec.nodeName).places.push(item);
  return [...units.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

/** Split a unit into transactions of at most CHUNK_OPS ops: its own patches first, then placements. */
export function chunksOf(u: Unit, limit = CHUNK_OPS): Chunk[] {
  const chunks: Chunk[] = [];
  let cur: Chunk = { patches: [], places: [] };
  let ops = 0;
  const room = (n: number) => {
    if (ops + n <= limit || ops === 0) return;
    chunks.push(cur);
    cur = { patches: [], places: [] };
    ops = 0;
  };
  for (const p of u.patches) {
    room(1);
    cur.patches.push(p);
    ops += 1;
  }
  for (const p of u.places) {
    const n = 1 + p.linked.length;
    room(n);
    cur.places.push(p);
    ops += n;
  }
  if (ops > 0) chunks.push(cur);
  return chunks;
}
