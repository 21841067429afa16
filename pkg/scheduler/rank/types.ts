// What a ranker is: a small stage that adds one named score in [-1, 1] (roughly) to a feasible node.
import type { GroupView, JobView, NodeView } from '../structs.ts';
import type { PlanState } from '../state.ts';

/** What rankers may read besides the node. */
export interface RankContext {
  job: JobView;
  group: GroupView;
  state: PlanState;
  /** Nodes a rescheduled allocation failed on: placing there again is penalized. */
  penaltyNodes: ReadonlySet<string>;
}

/** A scorer: undefined means "no opinion" and adds nothing to the node's average. */
export interface Scorer {
  /** The name scores are reported under (Nomad's: job-anti-affinity, node-affinity, allocation-spread...). */
  name: string;
  score(node: NodeView, ctx: RankContext): number | undefined;
}
