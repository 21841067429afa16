// The placement stack: for one allocation of a group, walk the (seeded-shuffled) nodes through feasibility
// checks, fit and rankers, and pick the best of a limited sample. Built in one function so the order of the
// stages reads top to bottom; every dropped node is counted in the AllocMetric with its reason.
import type { AllocView, GroupView, JobType, JobView, NodeView, PortAssignment, Resources } from './structs.ts';
import type { PlanState } from './state.ts';
import { shuffle, type Random } from './random.ts';
import { newMetric, recordFiltered, recordExhausted, recordScore, flattenScores, type AllocMetric } from './metrics.ts';
import type { FeasibilityCheck, CheckContext } from './feasible/types.ts';
import { readinessCheck, datacenterCheck, driverCheck, constraintCheck, hostVolumeCheck, escapesClass, datacenterMatches } from './feasible/checks.ts';
import { distinctHostsCheck, distinctPropertyCheck } from './feasible/distinct.ts';
import { ConstraintMatcher } from './feasible/constraints.ts';
import { fitNode, type FitResult, type NodeLoad } from './feasible/fit.ts';
import { DEFAULT_PORT_RANGE, type PortRange } from './feasible/ports.ts';
import type { Scorer, RankContext } from './rank/types.ts';
import { normalizedFit, type FitAlgorithm } from './rank/binpack.ts';
import { jobAntiAffinity } from './rank/antiaffinity.ts';
import { reschedulingPenalty } from './rank/penalty.ts';
import { nodeAffinity } from './rank/affinity.ts';
import { allocationSpread } from './rank/spread.ts';
import { LimitSelector, selectionLimit } from './rank/select.ts';
import { selectPreemptions, preemptionScore, DEFAULT_PRIORITY_DELTA } from './preempt/preempt.ts';
import { subtract, sum } from './resources.ts';

/** Scheduler settings (Nomad's SchedulerConfiguration, plus the port range and limit tuning). */
export interface SchedulerConfig {
  algorithm: FitAlgorithm;
  /** Whether each scheduler type may preempt lower-priority allocations. */
  preemption: Record<JobType, boolean>;
  preemptionPriorityDelta: number;
  portRange: PortRange;
  /** Options scoring below this are skipped (at most maxSkip times) in favour of later ones. */
  skipScoreThreshold: number;
  maxSkip: number;
}

/** Nomad's defaults: bin-packing, preemption for system jobs only. */
export const DEFAULT_CONFIG: SchedulerConfig = {
  algorithm: 'binpack',
  preemption: { service: false, batch: false, system: true, sysbatch: false },
  preemptionPriorityDelta: DEFAULT_PRIORITY_DELTA,
  portRange: DEFAULT_PORT_RANGE,
  skipScoreThreshold: 0,
  maxSkip: 3,
};

/** What the stack is built over. */
export interface StackDeps {
  job: JobView;
  nodes: NodeView[];
  state: PlanState;
  rng: Random;
  config: SchedulerConfig;
}

/** Per-selection options. */
export interface SelectOptions {
  /** Nodes the replaced allocation failed on (rescheduling penalty). */
  penaltyNodes?: ReadonlySet<string>;
  /** Allow evicting lower-priority allocations. */
  preempt?: boolean;
  /** Only consider these nodes, all of them (system jobs: the one node). */
  nodes?: NodeView[];
}

/** A scored, fitting node. */
export interface RankedOption {
  node: NodeView;
  ports: PortAssignment[];
  /** The node's usage with the allocation placed. */
  util: Resources;
  preempted: AllocView[];
  scores: Record<string, number>;
  normScore: number;
}

/** The chosen option (absent when none fits) and the metrics of the selection. */
export interface Selection {
  option?: RankedOption;
  metric: AllocMetric;
}

/** The placement stack of one evaluation. */
export interface Stack {
  select(group: GroupView, opts?: SelectOptions): Selection;
  /** Feasibility alone, without node status or fit (in-place updates): why the node cannot run the group. */
  feasible(group: GroupView, node: NodeView): string | undefined;
  /** Computed classes seen eligible (true) or not (false) for any group, for blocked evaluations. */
  classEligibility(): Record<string, boolean>;
  /** Whether some group's constraints named per-node attributes (class results do not generalize). */
  escapedClass(): boolean;
}

/** Builds the stack: the order of the stages is the order of the lines below. */
export function buildStack(deps: StackDeps): Stack {
  const { job, state, rng, config } = deps;
  const matcher = new ConstraintMatcher();
  // Readiness first, per node and uncached (in nodeReason below): the cheapest test, the usual reason in a
  // changing cluster. Then the class-level checks, cached per computed class:
  // datacenter first: one string match that removes whole regions;
  // drivers before constraints: a map lookup is cheaper than regexps and version parsing;
  // host volumes last: the rarest requirement.
  const classChecks: FeasibilityCheck[] = [datacenterCheck, driverCheck, constraintCheck(matcher), hostVolumeCheck];
  // distinct_* after the node checks: they read the proposed state, which changes with every placement.
  const planChecks: FeasibilityCheck[] = [distinctHostsCheck, distinctPropertyCheck()];
  // Fit (resources, then ports) follows feasibility; rankers run only on nodes that fit.
  // Anti-affinity and the reschedule penalty before affinity and spread: cheap counters first.
  const rankers: Scorer[] = [jobAntiAffinity, reschedulingPenalty, nodeAffinity(matcher), allocationSpread()];
  // Shuffled once per evaluation with its seed, then walked round-robin across selections (Nomad's source).
  const source = shuffle(deps.nodes, rng);
  let offset = 0;

  const eligibility: Record<string, boolean> = {};
  const escapedGroups = new Map<string, boolean>();
  let escaped = false;
  const available: Record<string, number> = {};
  for (const n of deps.nodes) {
    const usable = n.ready && !n.leaseOverdue && n.eligible && !n.draining && job.datacenters.some((p) => datacenterMatches(p, n.datacenter));
    if (usable) available[n.datacenter] = (available[n.datacenter] ?? 0) + 1;
  }
  const feasibleNodes = Object.values(available).reduce((a, b) => a + b, 0);

  const groupEscapes = (group: GroupView): boolean => {
    let e = escapedGroups.get(group.name);
    if (e === undefined) {
      escapedGroups.set(group.name, (e = escapesClass([...job.constraints, ...group.constraints])));
      escaped ||= e;
    }
    return e;
  };

  // Class-level results per group, keyed by computed class (or by node name when the group escapes its class).
  const classResults = new Map<string, Map<string, string | null>>();
  const nodeReason = (node: NodeView, ctx: CheckContext, withStatus: boolean): string | undefined => {
    if (withStatus) {
      const why = readinessCheck.check(node, ctx);
      if (why) return why;
    }
    let results = classResults.get(ctx.group.name);
    if (!results) classResults.set(ctx.group.name, (results = new Map()));
    const key = groupEscapes(ctx.group) ? node.name : node.computedClass;
    let why = results.get(key);
    if (why === undefined) {
      why = null;
      for (const c of classChecks) {
        const w = c.check(node, ctx);
        if (w) {
          why = w;
          break;
        }
      }
      results.set(key, why);
      eligibility[node.computedClass] = why === null || eligibility[node.computedClass] === true;
    }
    return why ?? undefined;
  };

  const feasibleReason = (node: NodeView, ctx: CheckContext, withStatus = true): string | undefined => {
    const why = nodeReason(node, ctx, withStatus);
    if (why) return why;
    for (const c of planChecks) {
      const w = c.check(node, ctx);
      if (w) return w;
    }
    return undefined;
  };

  const fit = (node: NodeView, group: GroupView, preempt: boolean): { fit: FitResult; preempted: AllocView[] } => {
    const load: NodeLoad = { used: state.used(node.name), ports: state.ports(node.name) };
    const first = fitNode(node, load, group.ask, group.ports, config.portRange, rng);
    if (first.ok || !preempt) return { fit: first, preempted: [] };
    const victims = selectPreemptions({
      node, allocs: state.allocsOn(node.name), ask: group.ask, job, jobPriority: job.priority, minDelta: config.preemptionPriorityDelta,
      staticPorts: group.ports.flatMap((p) => (p.static === undefined ? [] : [p.static])),
    });
    if (!victims) return { fit: first, preempted: [] };
    const freed = new Set(victims.flatMap((v) => v.ports.map((p) => p.value)));
    const reduced: NodeLoad = { used: subtract(load.used, sum(victims.map((v) => v.resources))), ports: load.ports, freed };
    const second = fitNode(node, reduced, group.ask, group.ports, config.portRange, rng);
    return second.ok ? { fit: second, preempted: victims } : { fit: first, preempted: [] };
  };

  const evaluate = (node: NodeView, ctx: RankContext, metric: AllocMetric, preempt: boolean): RankedOption | undefined => {
    metric.nodesEvaluated++;
    const why = feasibleReason(node, ctx);
    if (why) {
      recordFiltered(metric, node, why);
      return undefined;
    }
    const { fit: f, preempted } = fit(node, ctx.group, preempt);
    if (!f.ok) {
      recordExhausted(metric, node, f.dimension);
      return undefined;
    }
    const scores: Record<string, number> = { binpack: normalizedFit(config.algorithm, node.capacity, f.util) };
    let total = scores.binpack;
    let n = 1;
    if (preempted.length) {
      scores.preemption = preemptionScore(preempted);
      total += scores.preemption;
      n++;
    }
    for (const r of rankers) {
      const v = r.score(node, ctx);
      if (v === undefined) continue;
      scores[r.name] = v;
      total += v;
      n++;
    }
    // Normalization: the mean of the scores, so no single ranker dominates by its scale.
    const normScore = total / n;
    recordScore(metric, { node: node.name, scores, normScore });
    return { node, ports: f.ports, util: f.util, preempted, scores, normScore };
  };

  return {
    select(group, opts = {}) {
      const metric = newMetric();
      metric.nodesAvailable = { ...available };
      const ctx: RankContext = { job, group, state, penaltyNodes: opts.penaltyNodes ?? new Set() };
      const restricted = opts.nodes !== undefined;
      const nodes = opts.nodes ?? source;
      const scoresEverywhere = group.affinities.length > 0 || group.spreads.length > 0;
      const limit = restricted ? Number.POSITIVE_INFINITY : selectionLimit(job.type, feasibleNodes, scoresEverywhere);
      const selector = new LimitSelector<RankedOption>(limit, config.skipScoreThreshold, config.maxSkip);
      let visited = 0;
      while (visited < nodes.length) {
        const node = nodes[restricted ? visited : (offset + visited) % nodes.length];
        visited++;
        const option = evaluate(node, ctx, metric, opts.preempt === true);
        if (option && selector.offer(option)) break;
      }
      if (!restricted && nodes.length > 0) offset = (offset + visited) % nodes.length;
      flattenScores(metric);
      return { option: selector.best(), metric };
    },
    feasible(group, node) {
      // Node status is not re-checked: an allocation already on an ineligible node may still be updated in place.
      return feasibleReason(node, { job, group, state }, false);
    },
    classEligibility: () => ({ ...eligibility }),
    escapedClass: () => escaped,
  };
}
