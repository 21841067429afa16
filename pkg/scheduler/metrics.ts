// AllocMetric: why a placement went where it went, or failed. Every node the stack looks at is counted: filtered
// (by which check, on which class) or exhausted (by which dimension), and the best few scores are kept. The shape
// matches the Evaluation schema's AllocMetric so it can be stored on the eval as is.
import type { NodeView } from './structs.ts';

/** How many of the best-scoring nodes keep their per-scorer scores. */
export const TOP_SCORES = 5;

/** A node's scores in one selection: each scorer's value plus the normalized total. */
export interface NodeScore {
  node: string;
  scores: Record<string, number>;
  normScore: number;
}

/** Placement metrics of one group in one evaluation. */
export interface AllocMetric {
  nodesEvaluated: number;
  nodesFiltered: number;
  nodesAvailable: Record<string, number>;
  nodesExhausted: number;
  classFiltered: Record<string, number>;
  constraintFiltered: Record<string, number>;
  classExhausted: Record<string, number>;
  dimensionExhausted: Record<string, number>;
  quotaExhausted: string[];
  /** Top node scores, flattened as `<node>.<scorer>` (the Evaluation schema's form). */
  scores: Record<string, number>;
  coalescedFailures: number;
  /** The top nodes by normalized score, best first (kept structured for `drover plan`). */
  topScores: NodeScore[];
}

/** A fresh metric. */
export function newMetric(): AllocMetric {
  return {
    nodesEvaluated: 0, nodesFiltered: 0, nodesAvailable: {}, nodesExhausted: 0, classFiltered: {},
    constraintFiltered: {}, classExhausted: {}, dimensionExhausted: {}, quotaExhausted: [], scores: {},
    coalescedFailures: 0, topScores: [],
  };
}

/**
 * Nomad's explanation of a failed group's metric, one fact per line (`drover plan` and `drover job status` print
 * them as `* ...` lines; the dashboard as a list). Fields absent from a stored metric count as empty.
 */
export function explainMetric(m: Partial<AllocMetric>): string[] {
  const out: string[] = [];
  const q = (s: string) => JSON.stringify(s);
  const sorted = (r: Record<string, number> | undefined) => Object.entries(r ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if ((m.nodesEvaluated ?? 0) === 0) out.push('No nodes were eligible for evaluation');
  for (const [dc, n] of sorted(m.nodesAvailable)) if (n === 0) out.push(`No nodes are available in datacenter ${q(dc)}`);
  for (const [cls, n] of sorted(m.classFiltered)) out.push(`Class ${q(cls)}: ${n} nodes excluded by filter`);
  for (const [c, n] of sorted(m.constraintFiltered)) out.push(`Constraint ${q(c)}: ${n} nodes excluded by filter`);
  if ((m.nodesExhausted ?? 0) > 0) out.push(`Resources exhausted on ${m.nodesExhausted} nodes`);
  for (const [cls, n] of sorted(m.classExhausted)) out.push(`Class ${q(cls)} exhausted on ${n} nodes`);
  for (const [dim, n] of sorted(m.dimensionExhausted)) out.push(`Dimension ${q(dim)} exhausted on ${n} nodes`);
  for (const dim of m.quotaExhausted ?? []) out.push(`Quota limit hit ${q(dim)}`);
  return out;
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** Counts a node dropped by a feasibility check. */
export function recordFiltered(m: AllocMetric, node: NodeView, reason: string): void {
  m.nodesFiltered++;
  if (node.nodeClass) bump(m.classFiltered, node.nodeClass);
  bump(m.constraintFiltered, reason);
}

/** Counts a feasible node without room for the allocation. */
export function recordExhausted(m: AllocMetric, node: NodeView, dimension: string): void {
  m.nodesExhausted++;
  if (node.nodeClass) bump(m.classExhausted, node.nodeClass);
  bump(m.dimensionExhausted, dimension);
}

/** Keeps the node's scores if they are among the best TOP_SCORES (call flattenScores when done). */
export function recordScore(m: AllocMetric, score: NodeScore): void {
  const top = m.topScores;
  if (top.length >= TOP_SCORES && score.normScore <= top[top.length - 1].normScore) return;
  top.push(score);
  top.sort((a, b) => b.normScore - a.normScore);
  if (top.length > TOP_SCORES) top.length = TOP_SCORES;
}

/** Fills the flat `scores` map (`<node>.<scorer>`) from the top scores. */
export function flattenScores(m: AllocMetric): void {
  m.scores = {};
  for (const s of m.topScores) {
    for (const [scorer, v] of Object.entries(s.scores)) m.scores[`${s.node}.${scorer}`] = v;
    m.scores[`${s.node}.normalized-score`] = s.normScore;
  }
}
