// The proposed state of the cluster while one plan is built: every node's live allocations minus what the plan
// stops or preempts plus what it places (Nomad's EvalContext.ProposedAllocs). Fit, ports, distinct_* checks,
// anti-affinity and spread all read it, so a plan never double-books what it already gave away. It overlays a
// ClusterSnapshot: a node's usage is copied only when the plan first changes it.
import type { AllocView, NodeView, Resources } from './structs.ts';
import { isTerminal } from '../../api/schemas/allocation-state.ts';
import { add, subtract } from './resources.ts';
import type { ClusterSnapshot, NodeUsage } from './cluster.ts';

const ALL_GROUPS = '\u0000all';

/** The proposed allocations per node for one evaluation's job. */
export class PlanState {
  private readonly touched = new Map<string, NodeUsage>();
  /** Per group of the scheduled job (and ALL_GROUPS): node → live allocation count. */
  private readonly jobCounts = new Map<string, Map<string, number>>();
  private mutations = 0;

  constructor(private readonly cluster: ClusterSnapshot, private readonly job: { namespace: string; name: string }) {
    for (const a of cluster.jobAllocs(job.namespace, job.name)) if (!isTerminal(a)) this.countJob(a, +1);
  }

  /** Increases on every change: derived caches (spread counts, distinct_property) key on it. */
  get version(): number {
    return this.mutations;
  }

  /** The node by name, if known. */
  node(name: string): NodeView | undefined {
    return this.cluster.node(name);
  }

  /** Live allocations proposed on the node. */
  allocsOn(node: string): AllocView[] {
    return [...this.read(node).allocs.values()];
  }

  /** Resources the proposed allocations hold on the node. */
  used(node: string): Resources {
    return this.read(node).used;
  }

  /** Host ports held on the node, with their holder. */
  ports(node: string): ReadonlyMap<number, string> {
    return this.read(node).ports;
  }

  /** Live allocations of the scheduled job on the node; of one group when given. */
  jobCount(node: string, group?: string): number {
    return this.jobCounts.get(group ?? ALL_GROUPS)?.get(node) ?? 0;
  }

  /** Nodes holding live allocations of the scheduled job (of one group when given), with counts. */
  jobNodes(group?: string): ReadonlyMap<string, number> {
    return this.jobCounts.get(group ?? ALL_GROUPS) ?? new Map();
  }

  /** Adds a live allocation (a placement, or an undone stop). */
  add(alloc: AllocView): void {
    const u = this.write(alloc.nodeName);
    if (u.allocs.has(alloc.id)) return;
    u.allocs.set(alloc.id, alloc);
    u.used = add(u.used, alloc.resources);
    for (const p of alloc.ports) u.ports.set(p.value, alloc.id);
    this.countJob(alloc, +1);
    this.mutations++;
  }

  /** Removes an allocation (stopped or preempted by the plan). */
  remove(alloc: AllocView): void {
    if (!this.read(alloc.nodeName).allocs.has(alloc.id)) return;
    const u = this.write(alloc.nodeName);
    const held = u.allocs.get(alloc.id)!;
    u.allocs.delete(alloc.id);
    u.used = subtract(u.used, held.resources);
    for (const p of held.ports) if (u.ports.get(p.value) === held.id) u.ports.delete(p.value);
    this.countJob(held, -1);
    this.mutations++;
  }

  private read(node: string): Readonly<NodeUsage> {
    return this.touched.get(node) ?? this.cluster.usageOf(node);
  }

  private write(node: string): NodeUsage {
    let u = this.touched.get(node);
    if (!u) {
      const base = this.cluster.usageOf(node);
      this.touched.set(node, (u = { allocs: new Map(base.allocs), used: base.used, ports: new Map(base.ports) }));
    }
    return u;
  }

  private countJob(alloc: AllocView, delta: number): void {
    if (alloc.jobName !== this.job.name || alloc.namespace !== this.job.namespace) return;
    for (const key of [alloc.groupName, ALL_GROUPS]) {
      let m = this.jobCounts.get(key);
      if (!m) this.jobCounts.set(key, (m = new Map()));
      const n = (m.get(alloc.nodeName) ?? 0) + delta;
      if (n > 0) m.set(alloc.nodeName, n);
      else m.delete(alloc.nodeName);
    }
  }
}
