// The Plan: what one evaluation wants changed, grouped by node so a plan-commit endpoint can re-check each node's
// fit against the latest allocations and commit (or return) node by node. Plain JSON: it crosses the API.
import type { AllocView, ClientStatus, JobType, PortAssignment, Resources } from '../structs.ts';
import { isTerminal } from '../../../api/schemas/allocation-state.ts';
import type { AllocMetric } from '../metrics.ts';
import type { DesiredChanges, PlaceReason } from '../reconcile/types.ts';
import type { PlanState } from '../state.ts';

/** A new allocation. `previousAllocation` names the one it replaces: the committer sets that one's nextAllocation. */
export interface PlannedAlloc extends AllocView {
  reason: PlaceReason;
  /** Per task cpu/memory, as the Allocation's spec.resources.tasks records them. */
  taskResources: Record<string, { cpu: number; memoryMB: number }>;
  /** Allocations evicted to make room for this one. */
  preempts: string[];
  /** The normalized score the node won with. */
  score: number;
}

/** An allocation the plan stops (or evicts, when preempted); `resources` is what it frees. */
export interface StoppedAlloc {
  id: string;
  name: string;
  namespace: string;
  jobName: string;
  groupName: string;
  nodeName: string;
  desiredStatus: 'stop' | 'evict';
  /** Set to `lost` for allocations on down nodes. */
  clientStatus?: Extract<ClientStatus, 'lost'>;
  description: string;
  preemptedBy?: string;
  resources: Resources;
  ports: PortAssignment[];
}

/** An allocation moved to a new job version in place. */
export interface UpdatedAlloc {
  id: string;
  name: string;
  nodeName: string;
  fromVersion: number;
  toVersion: number;
}

/** Everything the plan changes on one node, with the node's usage after the plan and its capacity. */
export interface NodePlan {
  place: PlannedAlloc[];
  stop: StoppedAlloc[];
  update: UpdatedAlloc[];
  usage: Resources;
  capacity: Resources;
}

/** A follow-up evaluation to create: reschedule these failed allocations at `waitUntil` (ms since epoch). */
export interface FollowupEval {
  waitUntil: number;
  allocIds: string[];
}

/** The result of processing one evaluation. */
export interface Plan {
  evalId: string;
  namespace: string;
  jobName: string;
  jobVersion: number;
  jobType: JobType;
  priority: number;
  nodes: Record<string, NodePlan>;
  /** Groups with placements that found no node: the eval's status.failedTGAllocs. */
  failedGroups: Record<string, AllocMetric>;
  /** Placements not made, per group: the eval's status.queuedAllocations (non-empty → a blocked eval). */
  queued: Record<string, number>;
  desiredChanges: Record<string, DesiredChanges>;
  followups: FollowupEval[];
  classEligibility: Record<string, boolean>;
  escapedComputedClass: boolean;
  /** The metric of each group's last successful placement (scores explain `drover plan`). */
  placementMetrics: Record<string, AllocMetric>;
}

/** Plan identity and job facts. */
export type PlanHeader = Pick<Plan, 'evalId' | 'namespace' | 'jobName' | 'jobVersion' | 'jobType' | 'priority'>;

/** Options of a stop. */
export interface StopOptions {
  lost?: boolean;
  preemptedBy?: string;
}

/** Builds a Plan while keeping the proposed state in step, so later placements see earlier ones. */
export class PlanBuilder {
  private readonly nodes = new Map<string, NodePlan>();
  private readonly failed: Record<string, AllocMetric> = {};
  private readonly queued: Record<string, number> = {};
  private readonly placed: Record<string, AllocMetric> = {};

  constructor(private readonly header: PlanHeader, private readonly state: PlanState) {}

  /** Stops (or evicts) an allocation and frees what it holds. */
  stop(alloc: AllocView, description: string, opts: StopOptions = {}): void {
    const s: StoppedAlloc = {
      id: alloc.id, name: alloc.name, namespace: alloc.namespace, jobName: alloc.jobName, groupName: alloc.groupName,
      nodeName: alloc.nodeName, desiredStatus: opts.preemptedBy ? 'evict' : 'stop', description,
      resources: alloc.resources, ports: alloc.ports,
    };
    if (opts.lost) s.clientStatus = 'lost';
    if (opts.preemptedBy) s.preemptedBy = opts.preemptedBy;
    this.nodePlan(alloc.nodeName).stop.push(s);
    this.state.remove(alloc);
  }

  /** Takes back a stop (its replacement found no node): the allocation keeps running. */
  unstop(alloc: AllocView): void {
    const np = this.nodes.get(alloc.nodeName);
    if (!np) return;
    np.stop = np.stop.filter((s) => s.id !== alloc.id);
    if (!isTerminal(alloc)) this.state.add(alloc);
  }

  /** Places a new allocation. */
  place(a: PlannedAlloc, metric: AllocMetric): void {
    this.nodePlan(a.nodeName).place.push(a);
    this.state.add(a);
    this.placed[a.groupName] = metric;
  }

  /** Moves an allocation to the current job version without replacing it. */
  update(alloc: AllocView, toVersion: number): void {
    this.nodePlan(alloc.nodeName).update.push({ id: alloc.id, name: alloc.name, nodeName: alloc.nodeName, fromVersion: alloc.jobVersion, toVersion });
  }

  /** Records a placement that found no node (a second failure of the group is coalesced into the first). */
  fail(group: string, metric: AllocMetric): void {
    if (this.failed[group]) this.failed[group].coalescedFailures++;
    else this.failed[group] = metric;
    this.queued[group] = (this.queued[group] ?? 0) + 1;
  }

  /** Counts a placement skipped because its group already failed: it would fail the same way. */
  coalesce(group: string): void {
    const m = this.failed[group];
    if (m) m.coalescedFailures++;
    this.queued[group] = (this.queued[group] ?? 0) + 1;
  }

  /** Whether a group already failed in this plan (its next placements would fail the same way). */
  hasFailed(group: string): boolean {
    return this.failed[group] !== undefined;
  }

  /** The finished plan, with each touched node's usage after the plan. */
  finish(extra: Pick<Plan, 'desiredChanges' | 'followups' | 'classEligibility' | 'escapedComputedClass'>, capacity: (node: string) => Resources): Plan {
    const nodes: Record<string, NodePlan> = {};
    for (const [name, np] of [...this.nodes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (np.place.length + np.stop.length + np.update.length === 0) continue;
      nodes[name] = { ...np, usage: this.state.used(name), capacity: capacity(name) };
    }
    return { ...this.header, nodes, failedGroups: this.failed, queued: this.queued, placementMetrics: this.placed, ...extra };
  }

  private nodePlan(node: string): NodePlan {
    let np = this.nodes.get(node);
    if (!np) this.nodes.set(node, (np = { place: [], stop: [], update: [], usage: { cpu: 0, memoryMB: 0, diskMB: 0 }, capacity: { cpu: 0, memoryMB: 0, diskMB: 0 } }));
    return np;
  }
}
