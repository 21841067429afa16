// computePlan: Nomad's process(eval) without I/O. Reconcile the job's allocations against its spec, then run
// every needed placement through the stack, and return the Plan (plus the reconcile buckets for `drover plan`).
// Same input, same plan: the node shuffle and dynamic ports are seeded by the eval id.
import type { AllocView, JobView, NodeView, GroupView } from './structs.ts';
import { isTerminal } from '../../api/schemas/allocation-state.ts';
import { PlanState } from './state.ts';
import { ClusterSnapshot } from './cluster.ts';
import { seededRandom } from './random.ts';
import { hashOf } from './fingerprint.ts';
import { buildStack, DEFAULT_CONFIG, type SchedulerConfig, type Stack, type Selection } from './stack.ts';
import { datacenterMatches } from './feasible/checks.ts';
import { reconcile, DESC, type ReconcileResult, type PlaceRequest, type DeploymentView, type RescheduleLater } from './reconcile/reconcile.ts';
import { nextDelay } from './reconcile/reschedule.ts';
import { PlanBuilder, type Plan, type PlannedAlloc, type FollowupEval } from './plan/plan.ts';

/** Failed allocations due within this window of each other share one follow-up evaluation (Nomad's 5 s). */
export const FOLLOWUP_BATCH_WINDOW_MS = 5000;

/** Everything one evaluation is computed from, besides the cluster. */
export interface ScheduleOptions {
  evalId: string;
  /** The job; for a deleted job, its last view with `stopped: true`. */
  job: JobView;
  now: number;
  jobVersions?: ReadonlyMap<number, JobView>;
  deployment?: DeploymentView;
  /** `<deployment>/<group>` of earlier deployments that promoted their canaries (see ReconcileInput). */
  promotedCanaries?: ReadonlySet<string>;
  config?: Partial<SchedulerConfig>;
  /**
   * Groups whose first placement waits for their dependencies (api/schemas/job-dependencies.ts heldGroups):
   * nothing of them is placed; everything else of the plan goes ahead.
   */
  held?: ReadonlySet<string>;
  /** Names new Allocation objects; the default derives a DNS-1123 name from job, group, index and eval id. */
  newAllocId?: (p: { jobName: string; groupName: string; index: number; seq: number }) => string;
}

/**
 * The cluster: a snapshot a worker keeps current, or plain lists indexed for this one evaluation. Nodes absent
 * from it are gone (their allocations are lost). Allocations: every live one (any job: they hold capacity) and
 * all of this job's, terminal ones included (they carry its failure and reschedule history).
 */
export type ClusterInput = { cluster: ClusterSnapshot } | { nodes: NodeView[]; allocs: AllocView[] };

/** Input of computePlan. */
export type ScheduleInput = ScheduleOptions & ClusterInput;

/** The plan and the reconciler's buckets it came from. */
export interface ScheduleResult {
  plan: Plan;
  reconcile: ReconcileResult;
}

/** Processes one evaluation into a plan. */
export function computePlan(input: ScheduleInput): ScheduleResult {
  const { job, now } = input;
  const config: SchedulerConfig = { ...DEFAULT_CONFIG, ...input.config };
  const cluster = 'cluster' in input ? input.cluster : ClusterSnapshot.from(input.nodes, input.allocs);
  const nodes = cluster.nodes();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new PlanState(cluster, job);
  const jobAllocs = cluster.jobAllocs(job.namespace, job.name);
  const system = job.type === 'system' || job.type === 'sysbatch';
  const inDc = (n: NodeView) => job.datacenters.some((p) => datacenterMatches(p, n.datacenter));
  const readyNodes = system ? nodes.filter((n) => inDc(n) && n.ready && n.eligible && !n.draining) : undefined;
  const rec = reconcile({
    job, existing: jobAllocs, taintedNodes: taintedNodes(jobAllocs, byName), now, evalId: input.evalId,
    jobVersions: input.jobVersions, deployment: input.deployment, promotedCanaries: input.promotedCanaries, readyNodes,
    notReadyNodes: system ? new Set(nodes.filter((n) => inDc(n) && !(n.ready && n.eligible && !n.draining)).map((n) => n.name)) : undefined,
  });
  const stack = buildStack({ job, nodes, state, rng: seededRandom(input.evalId), config });
  const b = new PlanBuilder({ evalId: input.evalId, namespace: job.namespace, jobName: job.name, jobVersion: job.version, jobType: job.type, priority: job.priority }, state);
  // Stops go first so what they free is available to this plan's placements.
  for (const s of rec.stop) b.stop(s.alloc, s.description);
  for (const a of rec.lost) b.stop(a, DESC.lost, { lost: true });
  const destructive = [...rec.destructiveUpdate, ...inPlaceUpdates(rec, { stack, state, b, byName, job })];
  const placer = new Placer(input, config, stack, b, byName);
  // Replacements and new allocations first: they restore capacity the job lacks; then migrations and updates.
  const place = input.held?.size ? rec.place.filter((p) => !input.held!.has(p.group.name)) : rec.place;
  for (const p of [...place, ...rec.migrate, ...destructive]) placer.place(p);
  const plan = b.finish(
    { desiredChanges: rec.desiredChanges, followups: batchFollowups(rec.rescheduleLater), classEligibility: stack.classEligibility(), escapedComputedClass: stack.escapedClass() },
    (name) => byName.get(name)?.capacity ?? { cpu: 0, memoryMB: 0, diskMB: 0 },
  );
  return { plan, reconcile: rec };
}

/** Nodes hosting the job's allocations that are down, draining, or gone (null). */
export function taintedNodes(allocs: AllocView[], nodes: ReadonlyMap<string, NodeView>): Map<string, NodeView | null> {
  const out = new Map<string, NodeView | null>();
  for (const a of allocs) {
    const n = nodes.get(a.nodeName);
    if (!n) out.set(a.nodeName, null);
    else if (!n.ready || n.draining) out.set(a.nodeName, n);
  }
  return out;
}

/** Applies in-place updates that still pass feasibility on their node; returns the rest as destructive. */
function inPlaceUpdates(
  rec: ReconcileResult,
  { stack, state, b, byName, job }: { stack: Stack; state: PlanState; b: PlanBuilder; byName: ReadonlyMap<string, NodeView>; job: JobView },
): PlaceRequest[] {
  const out: PlaceRequest[] = [];
  for (const a of rec.inplaceUpdate) {
    const group = job.groups.find((g) => g.name === a.groupName)!;
    const node = byName.get(a.nodeName);
    // The allocation must not count against itself (distinct_hosts, distinct_property) while it is re-checked.
    state.remove(a);
    const why = node ? stack.feasible(group, node) : 'node gone';
    state.add(a);
    if (why) out.push({ group, name: a.name, index: a.index, reason: 'destructive', previous: a });
    else b.update(a, job.version);
  }
  return out;
}

/** Places allocations one by one, coalescing failures per group. */
class Placer {
  private seq = 0;

  constructor(
    private readonly input: ScheduleOptions,
    private readonly config: SchedulerConfig,
    private readonly stack: Stack,
    private readonly b: PlanBuilder,
    private readonly byName: ReadonlyMap<string, NodeView>,
  ) {}

  place(p: PlaceRequest): void {
    const { b } = this;
    if (b.hasFailed(p.group.name) && !p.nodeName) return b.coalesce(p.group.name);
    const prev = p.previous;
    // A replaced allocation is stopped before the search so its own node may take the replacement.
    const stopsPrevious = prev !== undefined && (p.reason === 'destructive' || p.reason === 'migrate') && !isTerminal(prev);
    if (stopsPrevious) b.stop(prev, p.reason === 'migrate' ? DESC.migrating : DESC.updating);
    const sel = this.select(p);
    const option = sel.option;
    if (!option) {
      // A migration a drainer asked for (marked) stops its allocation even when the replacement finds no room,
      // as Nomad's does: the drain must end, and the replacement waits in the blocked evaluation. A destructive
      // update, or a migration the scheduler paces itself, keeps the old allocation running instead.
      if (stopsPrevious && !(p.reason === 'migrate' && prev.migrate)) b.unstop(prev);
      // A system job's node that fails its constraints simply does not run it: that is not a failed placement.
      if (!(p.nodeName && sel.metric.nodesFiltered > 0)) b.fail(p.group.name, sel.metric);
      return;
    }
    const alloc = this.newAlloc(p, option.node.name, option.ports, option.normScore, option.preempted.map((v) => v.id));
    for (const v of option.preempted) b.stop(v, DESC.preempted, { preemptedBy: alloc.id });
    b.place(alloc, sel.metric);
  }

  private select(p: PlaceRequest): Selection {
    const penaltyNodes = new Set<string>();
    if (p.reason === 'reschedule' && p.previous) {
      penaltyNodes.add(p.previous.nodeName);
      for (const e of p.previous.rescheduleEvents) if (e.prevNodeName) penaltyNodes.add(e.prevNodeName);
    }
    const target = p.nodeName ? this.byName.get(p.nodeName) : undefined;
    const opts = { penaltyNodes, nodes: p.nodeName ? (target ? [target] : []) : undefined };
    const sel = this.stack.select(p.group, opts);
    if (sel.option || !this.config.preemption[this.input.job.type]) return sel;
    return this.stack.select(p.group, { ...opts, preempt: true });
  }

  private newAlloc(p: PlaceRequest, nodeName: string, ports: PlannedAlloc['ports'], score: number, preempts: string[]): PlannedAlloc {
    const { job, now } = this.input;
    const g: GroupView = p.group;
    const seq = this.seq++;
    const id = this.input.newAllocId?.({ jobName: job.name, groupName: g.name, index: p.index, seq }) ?? defaultAllocId(this.input.evalId, job.name, g.name, p.index, seq);
    const prev = p.previous;
    const events = prev && p.reason === 'reschedule'
      ? [...prev.rescheduleEvents, { time: now, prevAllocId: prev.id, prevNodeName: prev.nodeName, delayMs: nextDelay(prev, g.reschedule) }]
      : [];
    return {
      id, namespace: job.namespace, name: p.name, index: p.index, jobName: job.name, jobVersion: job.version, groupName: g.name,
      nodeName, desiredStatus: 'run', clientStatus: 'pending', resources: g.ask, ports, jobPriority: job.priority,
      createTime: now, previousAllocation: prev?.id, rescheduleEvents: events, reason: p.reason,
      taskResources: Object.fromEntries(g.tasks.map((t) => [t.name, { cpu: t.resources.cpu, memoryMB: t.resources.memoryMB }])),
      preempts, score,
      ...(this.input.deployment?.name && this.input.deployment.jobVersion === job.version ? { deploymentName: this.input.deployment.name } : {}),
      ...(p.canary ? { canary: true } : {}),
    };
  }
}

/** `<job>-<group>-<index>-<8 hex of eval id and sequence>`, cut to a DNS-1123 subdomain's 253 characters. */
export function defaultAllocId(evalId: string, jobName: string, groupName: string, index: number, seq: number): string {
  const suffix = `-${index}-${hashOf([evalId, seq]).slice(0, 8)}`;
  return `${jobName}-${groupName}`.slice(0, 253 - suffix.length) + suffix;
}

/** Groups delayed reschedules into follow-up evaluations, one per window of FOLLOWUP_BATCH_WINDOW_MS. */
export function batchFollowups(later: RescheduleLater[]): FollowupEval[] {
  const out: FollowupEval[] = [];
  for (const r of [...later].sort((a, b) => a.at - b.at)) {
    const last = out[out.length - 1];
    if (last && r.at - last.waitUntil < FOLLOWUP_BATCH_WINDOW_MS) last.allocIds.push(r.alloc.id);
    else out.push({ waitUntil: r.at, allocIds: [r.alloc.id] });
  }
  return out;
}
