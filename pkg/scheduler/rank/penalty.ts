// Rescheduling penalty: a failed allocation's replacement should prefer another node than the one it failed on.
import type { Scorer } from './types.ts';

/** Scores -1 on the nodes a rescheduled allocation's chain already failed on. */
export const reschedulingPenalty: Scorer = {
  name: 'node-reschedule-penalty',
  score(node, { penaltyNodes }) {
    return penaltyNodes.has(node.name) ? -1 : undefined;
  },
};
