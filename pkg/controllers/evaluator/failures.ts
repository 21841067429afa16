// Allocation failures. An allocation the agent reports failed while the scheduler still wants it running needs
// its job evaluated (alloc-failure) so the reschedule policy can replace it. Handled once: the evaluation is
// recorded on the allocation (annotation failure-eval). An allocation the scheduler already dealt with
// (replaced: nextAllocation; reschedule due later: followupEval) needs nothing.
import type { Allocation } from '../../../api/schemas/index.ts';
import { splitKey } from '../runtime/enqueue.ts';
import { requestFor, type EvaluatorContext } from './context.ts';
import { FAILURE_EVAL, isJobStopped } from './model.ts';

/** Whether `a` is a failure no evaluation has been asked for yet. */
export function needsFailureEval(a: Allocation): boolean {
  return (
    a.status?.clientStatus === 'failed' &&
    (a.spec.desiredStatus ?? 'run') === 'run' &&
    !a.metadata.annotations?.[FAILURE_EVAL] &&
    !a.spec.nextAllocation &&
    !a.spec.followupEval
  );
}

/** Reconcile the allocation `namespace/name`. */
export async function reconcileAllocFailure(ctx: EvaluatorContext, key: string): Promise<void> {
  const { namespace = 'default', name } = splitKey(key);
  const a = ctx.cache.alloc(namespace, name);
  if (!a || !needsFailureEval(a)) return;
  const job = ctx.cache.job(namespace, a.spec.jobName);
  // A stopped or deleted job does not reschedule; its own evaluation stops what is left.
  if (isJobStopped(job)) return;
  const { eval: e } = await ctx.writer.ensure(requestFor(job!, 'alloc-failure'));
  await ctx.writer.annotate('allocations', namespace, name, FAILURE_EVAL, e.metadata.name);
}
