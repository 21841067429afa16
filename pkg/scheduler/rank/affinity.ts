// Node affinity: the weights of the matching affinities, over the sum of all weights' magnitudes, in [-1, 1].
import { ConstraintMatcher } from '../feasible/constraints.ts';
import type { Scorer } from './types.ts';

/** Scores nodes by the group's (and job's and tasks') affinities. */
export function nodeAffinity(matcher = new ConstraintMatcher()): Scorer {
  return {
    name: 'node-affinity',
    score(node, { group }) {
      if (group.affinities.length === 0) return undefined;
      let total = 0;
      let weights = 0;
      for (const a of group.affinities) {
        weights += Math.abs(a.weight);
        if (matcher.matches(a, node)) total += a.weight;
      }
      return total === 0 || weights === 0 ? undefined : total / weights;
    },
  };
}
