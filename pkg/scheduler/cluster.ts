// The scheduler's read-only view of the cluster (Nomad's State): nodes, each node's live allocations with their
// resource and port totals, and every job's allocations. A worker keeps one snapshot current from its informers
// (upsert/remove are O(1) per object) and hands it to computePlan, which overlays the plan on it without copying:
// an evaluation costs what its job touches, not what the cluster holds.
import type { AllocView, NodeView, Resources } from './structs.ts';
import { isTerminal } from '../../api/schemas/allocation-state.ts';
import { jobKey } from '../../api/schemas/job-key.ts';
import { add, subtract, zero } from './resources.ts';

/** One node's live allocations and their totals. */
export interface NodeUsage {
  allocs: Map<string, AllocView>;
  used: Resources;
  /** host port → id of the allocation holding it */
  ports: Map<number, string>;
}

const EMPTY_USAGE: NodeUsage = { allocs: new Map(), used: zero(), ports: new Map() };

/** Nodes and allocations, indexed for scheduling. */
export class ClusterSnapshot {
  private readonly nodesByName = new Map<string, NodeView>();
  private nodeList: NodeView[] | undefined;
  private readonly usage = new Map<string, NodeUsage>();
  private readonly allocs = new Map<string, AllocView>();
  private readonly byJob = new Map<string, Map<string, AllocView>>();

  /** A snapshot of these nodes and allocations (terminal ones included: they are the jobs' history). */
  static from(nodes: Iterable<NodeView>, allocs: Iterable<AllocView>): ClusterSnapshot {
    const s = new ClusterSnapshot();
    for (const n of nodes) s.upsertNode(n);
    for (const a of allocs) s.upsertAlloc(a);
    return s;
  }

  /** Adds or replaces a node. */
  upsertNode(node: NodeView): void {
    this.nodesByName.set(node.name, node);
    this.nodeList = undefined;
  }

  /** Forgets a node (its allocations stay: they are lost, and the reconciler must see them). */
  removeNode(name: string): void {
    this.nodesByName.delete(name);
    this.nodeList = undefined;
  }

  /** Adds or replaces an allocation, moving its usage if its status or node changed. */
  upsertAlloc(alloc: AllocView): void {
    this.removeAlloc(alloc.id);
    this.allocs.set(alloc.id, alloc);
    const key = jobKey(alloc.namespace, alloc.jobName);
    let job = this.byJob.get(key);
    if (!job) this.byJob.set(key, (job = new Map()));
    job.set(alloc.id, alloc);
    if (isTerminal(alloc)) return;
    let u = this.usage.get(alloc.nodeName);
    if (!u) this.usage.set(alloc.nodeName, (u = { allocs: new Map(), used: zero(), ports: new Map() }));
    u.allocs.set(alloc.id, alloc);
    u.used = add(u.used, alloc.resources);
    for (const p of alloc.ports) u.ports.set(p.value, alloc.id);
  }

  /** Forgets an allocation. */
  removeAlloc(id: string): void {
    const old = this.allocs.get(id);
    if (!old) return;
    this.allocs.delete(id);
    this.byJob.get(jobKey(old.namespace, old.jobName))?.delete(id);
    const u = this.usage.get(old.nodeName);
    if (!u?.allocs.delete(id)) return;
    u.used = subtract(u.used, old.resources);
    for (const p of old.ports) if (u.ports.get(p.value) === id) u.ports.delete(p.value);
    if (u.allocs.size === 0) this.usage.delete(old.nodeName);
  }

  /** A node by name. */
  node(name: string): NodeView | undefined {
    return this.nodesByName.get(name);
  }

  /** Every node, in a stable order (by name). */
  nodes(): NodeView[] {
    this.nodeList ??= [...this.nodesByName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.nodeList;
  }

  /** A node's live allocations and totals (read-only: overlays copy before changing). */
  usageOf(node: string): Readonly<NodeUsage> {
    return this.usage.get(node) ?? EMPTY_USAGE;
  }

  /** Every allocation of a job, terminal ones included. */
  jobAllocs(namespace: string, name: string): AllocView[] {
    return [...(this.byJob.get(jobKey(namespace, name))?.values() ?? [])];
  }

  /** An allocation by id. */
  alloc(id: string): AllocView | undefined {
    return this.allocs.get(id);
  }
}
