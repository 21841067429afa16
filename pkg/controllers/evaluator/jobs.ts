// Job triggers. A job whose spec generation differs from the one recorded in its status
// (status.evaluatedGeneration, written through /status, so the user's metadata and spec are never rewritten) was
// registered, updated or stopped since its last evaluation: evaluate it (job-register, or job-deregister when
// stopped) and record the generation. Each evaluated generation is also
// recorded as a JobVersion (versions.ts) first. A job that is gone (or being
// deleted) while allocations of it still hold resources gets a job-deregister evaluation, so they are stopped.
import { splitKey } from '../runtime/enqueue.ts';
import { requestFor, type EvaluatorContext } from './context.ts';
import { isTemplate } from './model.ts';

/** Reconcile the job `namespace/name`. */
export async function reconcileJob(ctx: EvaluatorContext, key: string): Promise<void> {
  const { namespace = 'default', name } = splitKey(key);
  const job = ctx.cache.job(namespace, name);
  if (!job || job.metadata.deletionTimestamp) return deregistered(ctx, namespace, name);
  const generation = job.metadata.generation ?? 1;
  const onRecord = job.status?.evaluatedGeneration ?? 0;
  // What this term recorded counts too: other writers of the job's status (the job status controller) make
  // events that can reach us before our own record does, and the evaluation may be claimed by then.
  if (Math.max(onRecord, ctx.writer.evaluatedInTerm(job)) >= generation) {
    if (onRecord < generation) await ctx.writer.recordEvaluated(job, generation);
    return;
  }
  // The version is on record before anything can be placed at it (the scheduler and agents read it back).
  const live = ctx.cache.liveAllocsOf(namespace, name).map((a) => a.spec.jobVersion);
  await ctx.writer.recordVersion(job, live);
  // Templates are never placed themselves: their launches (child jobs) are evaluated.
  if (!isTemplate(job)) {
    const { eval: e, created } = await ctx.writer.ensure(requestFor(job, job.spec.stop ? 'job-deregister' : 'job-register'));
    // An Event about the job for `drover describe job` (best effort; a reused evaluation was announced already).
    if (created) await ctx.writer.jobEvent(job, 'Evaluating', `created evaluation ${e.metadata.name} (${e.spec.triggeredBy}) for version ${e.spec.jobVersion ?? generation}`);
  }
  await ctx.writer.recordEvaluated(job, generation);
}

async function deregistered(ctx: EvaluatorContext, namespace: string, name: string): Promise<void> {
  ctx.writer.forgetJob(namespace, name);
  if (ctx.cache.liveAllocsOf(namespace, name).length === 0) return;
  const facts = ctx.cache.jobFacts(namespace, name);
  await ctx.writer.ensure({ namespace, jobName: name, priority: facts?.priority ?? 50, type: facts?.type ?? 'service', triggeredBy: 'job-deregister' });
}
