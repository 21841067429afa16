// Where capacity appeared, and when: for each node the store revision of the last change that may let a blocked
// evaluation place something there (the node became schedulable or changed class/size, or an allocation on it
// stopped holding resources). A blocked evaluation is worth retrying only for changes newer than the snapshot
// it was computed from (Nomad's unblock indexes), which is what stops a blocked → unblocked → blocked loop.
// Also the free capacity per node, cached until an allocation on the node or the node itself changes.
import type { Allocation, Node } from '../../../api/schemas/index.ts';
import { nodeFromApi } from '../../scheduler/adapters.ts';
import type { Resources } from '../../scheduler/structs.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { isSchedulable, rvOf } from './model.ts';

/** What one allocation holds on its node (the scheduler's conservative sum). */
export function allocUsage(a: Allocation): Resources {
  const tasks = Object.values(a.spec.resources?.tasks ?? {});
  return {
    cpu: tasks.reduce((n, t) => n + (t.cpu ?? 0), 0),
    memoryMB: tasks.reduce((n, t) => n + (t.memoryMB ?? 0), 0),
    diskMB: a.spec.resources?.diskMB ?? 0,
  };
}

/** Whether `ask` fits in `free` on every dimension. */
export function fits(ask: Resources, free: Resources): boolean {
  return ask.cpu <= free.cpu && ask.memoryMB <= free.memoryMB && ask.diskMB <= free.diskMB;
}

/** Capacity revisions, computed classes and free capacity per node. */
export class CapacityTracker {
  private readonly revisions = new Map<string, number>();
  private readonly classes = new Map<string, { rv: number; cls: string; capacity: Resources }>();
  private readonly free = new Map<string, Resources>();
  /** Per blocked evaluation (and its snapshot): capacity events up to `upTo` were searched without finding room. */
  private readonly checked = new Map<string, { snapshot: number; upTo: number }>();
  private latest = 0;

  constructor(private readonly allocsOn: (node: string) => Iterable<Allocation>) {}

  /** A node was added or changed; true when that is a capacity event. */
  nodeChanged(node: Node, old?: Node): boolean {
    this.free.delete(node.metadata.name);
    const now = this.describe(node);
    if (!isSchedulable(node)) return false;
    const before = old && this.describeUncached(old);
    const changed = !old || !isSchedulable(old) || before!.cls !== now.cls || JSON.stringify(before!.capacity) !== JSON.stringify(now.capacity);
    if (changed) this.bump(node.metadata.name, rvOf(node));
    return changed;
  }

  /** A node was deleted. */
  nodeDeleted(name: string): void {
    this.revisions.delete(name);
    this.classes.delete(name);
    this.free.delete(name);
  }

  /**
   * An allocation was added, changed (`old` given) or deleted (`deletedAt` given: the revision of the deletion);
   * true when it released resources on its node. An allocation first seen already finished counts too: after a
   * restart the evaluator cannot tell when it finished, and a needless retry is cheaper than a missed one.
   */
  allocChanged(a: Allocation, old?: Allocation, deletedAt?: number): boolean {
    this.free.delete(a.spec.nodeName);
    const released = deletedAt !== undefined ? isLive(a) : old ? isLive(old) && !isLive(a) : !isLive(a);
    if (released) this.bump(a.spec.nodeName, deletedAt ?? rvOf(a));
    return released;
  }

  /** Nodes with a capacity event after `revision` (cheap when there is none: the common case). */
  changedSince(revision: number): string[] {
    if (this.latest <= revision) return [];
    const out: string[] = [];
    for (const [node, rv] of this.revisions) if (rv > revision) out.push(node);
    return out;
  }

  /** The newest capacity event's revision. */
  latestRevision(): number {
    return this.latest;
  }

  /**
   * The revision up to which a blocked evaluation's search (at this snapshot) found no room; 0 if never. A node
   * that did not fit can only fit after a newer capacity event on it (placements only take room), so the next
   * search may start there. A new snapshot (re-blocked, new class eligibility) starts afresh.
   */
  checkedUpTo(evalKey: string, snapshot: number): number {
    const c = this.checked.get(evalKey);
    return c && c.snapshot === snapshot ? c.upTo : 0;
  }

  /** Record a fruitless search (see checkedUpTo); `undefined` forgets the evaluation. */
  setChecked(evalKey: string, snapshot: number, upTo: number | undefined): void {
    if (upTo === undefined) this.checked.delete(evalKey);
    else this.checked.set(evalKey, { snapshot, upTo });
  }

  /** The node's computed class (as the scheduler computes it for classEligibility). */
  computedClass(node: Node): string {
    return this.describe(node).cls;
  }

  /** The node's capacity minus what its allocations hold. */
  freeCapacity(node: Node): Resources {
    const name = node.metadata.name;
    let free = this.free.get(name);
    if (!free) {
      free = { ...this.describe(node).capacity };
      for (const a of this.allocsOn(name)) {
        if (!isLive(a)) continue;
        const u = allocUsage(a);
        free.cpu -= u.cpu;
        free.memoryMB -= u.memoryMB;
        free.diskMB -= u.diskMB;
      }
      this.free.set(name, free);
    }
    return free;
  }

  private bump(node: string, rv: number): void {
    this.revisions.set(node, Math.max(rv, this.revisions.get(node) ?? 0));
    this.latest = Math.max(this.latest, rv);
  }

  private describe(node: Node): { cls: string; capacity: Resources } {
    const cached = this.classes.get(node.metadata.name);
    if (cached && cached.rv === rvOf(node)) return cached;
    const d = { rv: rvOf(node), ...this.describeUncached(node) };
    this.classes.set(node.metadata.name, d);
    return d;
  }

  private describeUncached(node: Node): { cls: string; capacity: Resources } {
    const view = nodeFromApi(node);
    return { cls: view.computedClass, capacity: view.capacity };
  }
}
