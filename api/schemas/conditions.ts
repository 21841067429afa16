// Kubernetes-style conditions (metav1.Condition): one per type, lastTransitionTime kept while the status stays
// the same, observedGeneration stamped on each. The shape kubectl wait and kstatus read; the job status and the
// deployment controllers both settle theirs here.
import type { Static } from '@sinclair/typebox';
import type { Condition as ConditionSchema } from './common.ts';
import { rfc3339 } from './timestamp.ts';

/** One condition as every status holds it (type, status, reason, message, lastTransitionTime, observedGeneration). */
export type Condition = Static<typeof ConditionSchema>;

/** A condition as computed, before the transition time is settled. */
export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/**
 * The conditions to write: `next` in its order, each with the previous lastTransitionTime when its status did not
 * change (so a message update is not a transition), else `now`.
 */
export function settleConditions(previous: Condition[] | undefined, next: ConditionInput[], generation: number, now: number): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : rfc3339(now);
    return { type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime, observedGeneration: generation };
  });
}

/** The condition of `type`, if any. */
export function conditionOf(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
